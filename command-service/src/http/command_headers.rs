//! The optional command headers: `Idempotency-Key` (same key, same response, nothing
//! appended again) and `If-Match: "<stream_version>"` (409 when the stream moved).

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use caselog_platform::http::Problem;
use caselog_schemas::StreamVersion;

const MAX_KEY_LENGTH: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct CommandHeaders {
    pub idempotency_key: Option<String>,
    pub if_match: Option<StreamVersion>,
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
        Ok(Self {
            idempotency_key,
            if_match,
        })
    }
}
