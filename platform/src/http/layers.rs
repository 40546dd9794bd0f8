//! The layers every API router gets: a body limit, a request timeout and a trace span
//! per request.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Request bodies above this size are refused with 413 before they are parsed.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// Wraps an API router in the shared layers. `timeout` bounds each request (streams
/// such as server-sent events are mounted outside it).
pub fn with_api_layers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    timeout: Duration,
) -> Router<S> {
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(TraceLayer::new_for_http())
}
