//! Errors that do not come from our handlers — an unknown route, a wrong method, a path
//! segment that is not a UUID, a request timeout — answer problem+json like the rest.

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use super::problem::{Problem, ProblemType};

/// Adds a problem+json 404 for unknown routes and rewrites plain-text error answers.
pub fn with_problem_fallbacks(router: Router) -> Router {
    router
        .fallback(|| async { Problem::not_found() })
        .layer(middleware::from_fn(rewrite_plain_errors))
}

async fn rewrite_plain_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_error = status.is_client_error() || status == StatusCode::SERVICE_UNAVAILABLE;
    let is_plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("text/plain"));
    if !is_error || !is_plain {
        return response;
    }
    let kind = match status {
        StatusCode::NOT_FOUND => ProblemType::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::UNAUTHORIZED => ProblemType::Unauthorized,
        StatusCode::FORBIDDEN => ProblemType::Forbidden,
        StatusCode::CONFLICT => ProblemType::Conflict,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ProblemType::Validation,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ProblemType::Unavailable,
        _ => ProblemType::Malformed,
    };
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_owned();
    let detail = if detail.is_empty() {
        kind.title().to_owned()
    } else {
        detail
    };
    Problem::new(kind, detail).into_response()
}
