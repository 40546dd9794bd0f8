//! The optional command headers: `Idempotency-Key` (same key, same response, nothing
//! appended again) and `If-Match: "<stream_version>"` (409 when the stream moved).
//!
//! A keyed request is fingerprinted (method, path and body, hashed, by
//! [`fingerprint_keyed_requests`]): with the caller, that is what a later use of the
//! key must match to be replayed. Keys starting with `caselog:` are the system's own
//! (the auto-close worker's) and are refused.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use caselog_platform::http::{Caller, Problem};
use caselog_schemas::StreamVersion;

const MAX_KEY_LENGTH: usize = 200;

use super::AppState;
use crate::application::SYSTEM_KEY_PREFIX;

#[derive(Debug, Clone, Default)]
pub struct CommandHeaders {
    pub idempotency_key: Option<String>,
    /// The hash of the keyed request's method, path and body.
    pub request_hash: Option<String>,
    pub if_match: Option<StreamVersion>,
}

/// What every command handler starts from: who asks (a verified token) and the
/// command headers, extracted in that order (401 before 400).
pub struct CommandContext {
    pub caller: Caller,
    pub headers: CommandHeaders,
}

impl FromRequestParts<AppState> for CommandContext {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let headers = CommandHeaders::from_request_parts(parts, state).await?;
        Ok(Self { caller, headers })
    }
}

/// The hash of a keyed request, computed before the body is parsed.
#[derive(Debug, Clone)]
struct RequestHash(String);

/// Middleware: hashes the method, path, query and body of every request that carries
/// an `Idempotency-Key`, for [`CommandHeaders`].
pub async fn fingerprint_keyed_requests(request: Request, next: Next) -> Response {
    if !request.headers().contains_key("idempotency-key") {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, caselog_platform::http::BODY_LIMIT_BYTES).await
    else {
        return Problem::new(
            caselog_platform::http::ProblemType::PayloadTooLarge,
            format!(
                "the body is larger than {} bytes",
                caselog_platform::http::BODY_LIMIT_BYTES
            ),
        )
        .into_response();
    };
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str().as_bytes());
    hash.update([0]);
    hash.update(
        parts
            .uri
            .path_and_query()
            .map_or("", |p| p.as_str())
            .as_bytes(),
    );
    hash.update([0]);
    hash.update(&bytes);
    parts
        .extensions
        .insert(RequestHash(hex::encode(hash.finalize())));
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

impl<S: Send + Sync> FromRequestParts<S> for CommandHeaders {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let idempotency_key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(value) => {
                let key = value
                    .to_str()
                    .ok()
                    .map(str::trim)
                    .filter(|key| !key.is_empty() && key.len() <= MAX_KEY_LENGTH)
                    .ok_or_else(|| {
                        Problem::validation(
                            "Idempotency-Key must be 1 to 200 visible ASCII characters",
                        )
                    })?;
                if key.starts_with(SYSTEM_KEY_PREFIX) {
                    return Err(Problem::validation(format!(
                        "Idempotency-Key may not start with {SYSTEM_KEY_PREFIX:?}: caselog uses \
                         those keys itself"
                    )));
                }
                Some(key.to_owned())
            }
        };
        let if_match = match parts.headers.get(header::IF_MATCH) {
            None => None,
            Some(value) => {
                let version = value
                    .to_str()
                    .ok()
                    .map(|text| text.trim().trim_start_matches("W/").trim_matches('"'))
                    .and_then(|text| text.parse::<i64>().ok())
                    .filter(|version| *version >= 0)
                    .ok_or_else(|| {
                        Problem::validation("If-Match must be a stream version such as \"3\"")
                    })?;
                Some(StreamVersion(version))
            }
        };
        let request_hash = parts
            .extensions
            .get::<RequestHash>()
            .map(|hash| hash.0.clone());
        Ok(Self {
            idempotency_key,
            request_hash,
            if_match,
        })
    }
}
