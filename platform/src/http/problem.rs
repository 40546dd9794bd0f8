//! `application/problem+json` bodies with stable `type`s (README "Endpoints"). Each
//! service maps its own error enum to a `Problem` in one place; 5xx details stay opaque.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// How long a caller is asked to wait when a dependency is unavailable.
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: u32 = 2;

/// The stable problem types clients switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// 400: the body is not JSON, or not an object.
    Malformed,
    /// 401: no token, or one that is forged, expired or malformed.
    Unauthorized,
    /// 403: the role or the caller's relation to the resource does not allow it.
    Forbidden,
    /// 404: unknown, invisible to the caller, or another tenant's.
    NotFound,
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 409: the stream moved past `If-Match`, or the id is taken.
    Conflict,
    /// 413: the body is larger than the limit.
    PayloadTooLarge,
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType,
    /// 422: a field's value is invalid.
    Validation,
    /// 422: the current state forbids it (a domain rule).
    Rule,
    /// 429: the caller, or its tenant, is over its request rate; with `Retry-After`.
    TooManyRequests,
    /// 503: not ready yet (`X-Min-Position` not reached in time) or a dependency is
    /// unavailable; always with `Retry-After`.
    Unavailable,
    /// 500: opaque; the cause is logged.
    Internal,
}

impl ProblemType {
    /// Every type, for the OpenAPI documents.
    pub const ALL: [ProblemType; 13] = [
        ProblemType::Malformed,
        ProblemType::Unauthorized,
        ProblemType::Forbidden,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::Conflict,
        ProblemType::PayloadTooLarge,
        ProblemType::UnsupportedMediaType,
        ProblemType::Validation,
        ProblemType::Rule,
        ProblemType::TooManyRequests,
        ProblemType::Unavailable,
        ProblemType::Internal,
    ];

    pub fn uri(self) -> &'static str {
        match self {
            ProblemType::Malformed => "caselog:malformed",
            ProblemType::Unauthorized => "caselog:unauthorized",
            ProblemType::Forbidden => "caselog:forbidden",
            ProblemType::NotFound => "caselog:not-found",
            ProblemType::MethodNotAllowed => "caselog:method-not-allowed",
            ProblemType::Conflict => "caselog:conflict",
            ProblemType::PayloadTooLarge => "caselog:payload-too-large",
            ProblemType::UnsupportedMediaType => "caselog:unsupported-media-type",
            ProblemType::Validation => "caselog:validation",
            ProblemType::Rule => "caselog:rule",
            ProblemType::TooManyRequests => "caselog:too-many-requests",
            ProblemType::Unavailable => "caselog:unavailable",
            ProblemType::Internal => "caselog:internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemType::Malformed => StatusCode::BAD_REQUEST,
            ProblemType::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemType::Forbidden => StatusCode::FORBIDDEN,
            ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::Conflict => StatusCode::CONFLICT,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::Validation | ProblemType::Rule => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemType::Malformed => "malformed request body",
            ProblemType::Unauthorized => "missing or invalid access token",
            ProblemType::Forbidden => "not allowed",
            ProblemType::NotFound => "not found",
            ProblemType::MethodNotAllowed => "method not allowed",
            ProblemType::Conflict => "conflict",
            ProblemType::PayloadTooLarge => "request body too large",
            ProblemType::UnsupportedMediaType => "unsupported media type",
            ProblemType::Validation => "invalid field value",
            ProblemType::Rule => "refused by a rule",
            ProblemType::TooManyRequests => "too many requests",
            ProblemType::Unavailable => "temporarily unavailable",
            ProblemType::Internal => "internal error",
        }
    }
}

/// One problem, ready to send.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemType,
    pub detail: String,
    /// Seconds, for 429 and 503 answers.
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn not_found() -> Self {
        Self::new(ProblemType::NotFound, "no such resource")
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }

    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Validation, detail)
    }

    /// 503 with `Retry-After`: a dependency is unreachable for now.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            retry_after: Some(UNAVAILABLE_RETRY_AFTER_SECONDS),
            ..Self::new(ProblemType::Unavailable, detail)
        }
    }

    /// What a failed request answers: 503 with `Retry-After` when the cause is a
    /// passing outage (Postgres unreachable or restarting, a time-out; see
    /// [`crate::transient`]), else an opaque 500. Either way the cause is logged.
    pub fn failure(cause: impl Into<anyhow::Error>) -> Self {
        let cause = cause.into();
        let transient = crate::transient::is_transient_anyhow(&cause);
        Self::failure_classified(cause, transient)
    }

    /// [`Self::failure`] for a cause classified before it was wrapped where the chain
    /// no longer shows it (a cache's shared `Arc` of the error).
    pub fn failure_classified(cause: anyhow::Error, transient: bool) -> Self {
        if transient {
            tracing::warn!(error = %format!("{cause:#}"), "request failed: a dependency is unavailable");
            return Self::unavailable("a dependency of this service is unavailable; retry shortly");
        }
        tracing::error!(error = %format!("{cause:#}"), "request failed");
        Self::new(ProblemType::Internal, "the request could not be completed")
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.kind.status();
        let body = serde_json::to_vec(&Body {
            kind: self.kind.uri(),
            title: self.kind.title(),
            status: status.as_u16(),
            detail: &self.detail,
        })
        .expect("a problem always serialises");
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        // Every 503 says when to come back.
        let retry_after = self
            .retry_after
            .or((self.kind == ProblemType::Unavailable).then_some(UNAVAILABLE_RETRY_AFTER_SECONDS));
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
