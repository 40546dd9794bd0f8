//! The layers every API router gets: a request timeout, the limits (requests in
//! flight, rates per user and tenant), and a body limit. The span, request id and
//! metrics wrap every route of a service (`observe`).

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::limits::{self, ApiLimits};
use super::problem::{Problem, ProblemType};

/// Request bodies above this size are refused with 413 before they are parsed.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// A declared-too-large body up to this size is read and discarded before the 413 is
/// sent, so the client (still sending) gets the answer rather than a reset connection.
const DRAIN_LIMIT_BYTES: u64 = 16 * 1024 * 1024;

/// Wraps an API router in the shared layers. The limits' request time-out bounds each
/// request (streams such as server-sent events are mounted outside it).
pub fn with_api_layers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    limits: &ApiLimits,
) -> Router<S> {
    let timeout = limits.request_timeout();
    // The time-out wraps everything that reads the body, the drain of an oversized one
    // included: a client that sends slowly is cut at the time-out, not when it is done.
    // The rates are spent before any body is read.
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(refuse_declared_oversized_bodies))
        .layer(middleware::from_fn_with_state(
            limits.clone(),
            limits::limit_rate,
        ))
        .layer(middleware::from_fn_with_state(
            limits.clone(),
            limits::limit_in_flight,
        ))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            answer_within(timeout, request, next)
        }))
}

/// A request still running after `timeout` is dropped (its database work with it) and
/// answered 503 with `Retry-After`: the caller may retry, with its idempotency key.
async fn answer_within(timeout: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = timeout.as_millis() as u64, "request timed out");
            Problem::unavailable(format!(
                "the request did not complete within {} s",
                timeout.as_secs()
            ))
            .into_response()
        }
    }
}

async fn refuse_declared_oversized_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let Some(length) = declared.filter(|length| *length > BODY_LIMIT_BYTES as u64) else {
        return next.run(request).await;
    };
    if length <= DRAIN_LIMIT_BYTES {
        let mut body = request.into_body().into_data_stream();
        while let Some(chunk) = body.next().await {
            if chunk.is_err() {
                break;
            }
        }
    }
    Problem::new(
        ProblemType::PayloadTooLarge,
        format!("the body is larger than {BODY_LIMIT_BYTES} bytes"),
    )
    .into_response()
}
