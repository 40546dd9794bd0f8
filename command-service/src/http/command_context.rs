//! What every command handler starts from ([`CommandContext`]): the verified caller
//! and the optional command headers: `Idempotency-Key` (same key, same response, nothing
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

use uuid::Uuid;

use caselog_platform::http::{Caller, Problem};
use caselog_schemas::{Actor, Role, StreamVersion, TenantId};

use super::AppState;
use crate::application::{CommandOptions, SYSTEM_KEY_PREFIX};
use crate::domain::conversation;

const MAX_KEY_LENGTH: usize = 200;

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

impl CommandContext {
    /// 403 unless the caller's role is one of `roles`; the finer rules are `decide`'s.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), Problem> {
        self.caller.require_role(roles)
    }

    pub fn tenant(&self) -> TenantId {
        self.caller.tenant_id
    }

    /// The caller as the domain sees them: who acts, in which role.
    pub fn actor(&self) -> conversation::Actor {
        conversation::Actor {
            user_id: self.caller.user_id,
            role: self.caller.role,
        }
    }

    /// How the executor records the command: the metadata actor, the idempotency key
    /// with the request it belongs to, and the expected version.
    pub fn options(&self) -> CommandOptions {
        // Who sent which request: a key replays only for the same caller and request.
        let request_fingerprint = self
            .headers
            .request_hash
            .as_ref()
            .filter(|_| self.headers.idempotency_key.is_some())
            .map(|hash| {
                format!(
                    "{}:{}:{hash}",
                    self.caller.user_id,
                    self.caller.role.as_str()
                )
            });
        CommandOptions {
            actor: Actor {
                user_id: Some(self.caller.user_id),
                role: self.caller.role.as_str().to_owned(),
            },
            idempotency_key: self.headers.idempotency_key.clone(),
            request_fingerprint,
            if_match: self.headers.if_match,
        }
    }

    /// The id of what a command creates inside its stream (a message, a note): derived
    /// from the idempotency key when there is one, so a replay answers the same `id`.
    pub fn new_id(&self) -> Uuid {
        match &self.headers.idempotency_key {
            Some(key) => Uuid::new_v5(
                &self.tenant().0,
                format!("caselog:idempotent-id:{key}").as_bytes(),
            ),
            None => Uuid::now_v7(),
        }
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
        // An empty header is no header (RFC 9110: an empty list), as documented.
        let present = |name| {
            parts
                .headers
                .get(name)
                .filter(|value| !value.as_bytes().trim_ascii().is_empty())
        };
        let idempotency_key = match present("idempotency-key") {
            None => None,
            Some(value) => {
                // Printable ASCII, as documented (`to_str` alone lets a tab through).
                let key = value
                    .to_str()
                    .ok()
                    .map(str::trim)
                    .filter(|key| !key.is_empty() && key.len() <= MAX_KEY_LENGTH)
                    .filter(|key| key.bytes().all(|b| (b' '..=b'~').contains(&b)))
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
        let if_match = match present(header::IF_MATCH.as_str()) {
            None => None,
            Some(value) => {
                let version = value
                    .to_str()
                    .ok()
                    .and_then(stream_version_tag)
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

/// `"3"` or `W/"3"`, as the `ETag` of a command's answer reads: the version inside.
fn stream_version_tag(text: &str) -> Option<i64> {
    let digits = text
        .trim()
        .strip_prefix("W/")
        .unwrap_or(text.trim())
        .strip_prefix('"')?
        .strip_suffix('"')?;
    let is_number = !digits.is_empty() && digits.len() <= 18;
    (is_number && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}
