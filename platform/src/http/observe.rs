//! What every request of every service gets, the probes and streams included: a request
//! id (the caller's `X-Request-Id` when it is a sane one, else a new UUID) in the
//! response header, in every log line of the request (a span field) and in a problem's
//! `instance`; a span that continues the caller's W3C `traceparent`; one access log
//! line; and the RED metric `http_server_request_duration_seconds` by method, route
//! template and status.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use opentelemetry::propagation::Extractor;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest caller-chosen request id kept; a longer or odder one is replaced.
const MAX_REQUEST_ID_CHARS: usize = 128;

/// Wraps the whole router (API, streams, probes, `/openapi.json`).
pub fn observe(router: Router) -> Router {
    router.layer(middleware::from_fn(observe_request))
}

async fn observe_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id(request.headers());
    let method = request.method().clone();
    // The template, not the path: ids in paths would make a series per resource.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = %request_id,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(request.headers()))
    });
    let _ = span.set_parent(parent);
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    metrics::histogram!(
        "http_server_request_duration_seconds",
        "method" => method_label(&method),
        "route" => route,
        "status" => status.to_string(),
    )
    .record(seconds);
    span.in_scope(|| {
        tracing::info!(
            status,
            duration_ms = (seconds * 1000.0).round() as u64,
            "request served"
        );
    });
    let mut response = with_instance(response, &request_id).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The method as a label: a made-up method (any token is one) would add a series each.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The caller's id when it is short printable ASCII without spaces, else a new one.
fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= MAX_REQUEST_ID_CHARS)
        .filter(|id| id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// A problem names the request it answers: `instance` is `urn:caselog:request:<id>`.
async fn with_instance(response: Response, request_id: &str) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == b"application/problem+json");
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Problems are a few hundred bytes; anything else is passed on untouched.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let rewritten = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|mut problem| {
            let fields = problem.as_object_mut()?;
            fields.insert(
                "instance".into(),
                format!("urn:caselog:request:{request_id}").into(),
            );
            serde_json::to_vec(&problem).ok()
        });
    let bytes = rewritten.map_or(bytes, axum::body::Bytes::from);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(axum::http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_request_id_is_kept_and_any_other_replaced() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(REQUEST_ID_HEADER, HeaderValue::from_str(value).unwrap());
            request_id(&headers)
        };
        assert_eq!(with("ticket-4711"), "ticket-4711");
        for odd in ["with space", "", &"x".repeat(MAX_REQUEST_ID_CHARS + 1)] {
            let replaced = with(odd);
            assert!(
                uuid::Uuid::parse_str(&replaced).is_ok(),
                "{odd:?} -> {replaced}"
            );
        }
        assert!(uuid::Uuid::parse_str(&request_id(&HeaderMap::new())).is_ok());
    }

    #[test]
    fn a_made_up_method_is_one_label() {
        let made_up = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&made_up), "other");
        assert_eq!(method_label(&axum::http::Method::PATCH), "PATCH");
    }
}
