//! Read-your-writes: `X-Min-Position` makes a query wait (bounded) until the read model
//! has applied that position; every answer says how far the model was with
//! `X-Projection-Position`.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use caselog_platform::http::{Problem, ProblemType};
use caselog_schemas::{Position, TenantId};

use super::ApiError;
use super::AppState;
use crate::read_models::{self, ModelVersion, Projection};

pub const PROJECTION_POSITION: &str = "x-projection-position";

/// The position the caller needs the read model to have reached.
#[derive(Debug, Clone, Copy, Default)]
pub struct MinPosition(pub Position);

/// Documents the header on every read that takes it (`params(MinPosition)`).
impl utoipa::IntoParams for MinPosition {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![caselog_platform::http::min_position()]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MinPosition {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("x-min-position") else {
            return Ok(MinPosition(Position::BEFORE_FIRST));
        };
        value
            .to_str()
            .ok()
            // Digits only, as documented: `parse` alone would take `+5`.
            .filter(|text| {
                !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit())
            })
            .and_then(|text| text.parse::<i64>().ok())
            .filter(|position| *position >= 0)
            .map(|position| MinPosition(Position(position)))
            .ok_or_else(|| {
                Problem::validation("X-Min-Position must be a log position (an integer)")
            })
    }
}

/// The longest a waiting query trusts the announcements alone before it looks at the
/// read model again (one may be missed while the listener reconnects).
const RECHECK_AT_LEAST_EVERY: Duration = Duration::from_secs(1);

/// Waits until `model` has applied `min`, then returns its version for the tenant.
/// Between looks it sleeps until the projection service announces progress.
pub async fn settle(
    state: &AppState,
    model: Projection,
    tenant: TenantId,
    min: MinPosition,
) -> Result<ModelVersion, ApiError> {
    let started = Instant::now();
    loop {
        let version = read_models::version(model, &state.pool, tenant).await?;
        metrics::counter!("caselog_query_min_position_checks_total").increment(1);
        if version.position >= min.0 {
            return Ok(version);
        }
        if started.elapsed() >= state.min_position_wait {
            return Err(Problem {
                retry_after: Some(1),
                ..Problem::new(
                    ProblemType::Unavailable,
                    format!(
                        "the read model is at position {}, not yet at {}",
                        version.position, min.0
                    ),
                )
            }
            .into());
        }
        let left = state.min_position_wait.saturating_sub(started.elapsed());
        state
            .progress
            .wait_for(model, min.0, left.min(RECHECK_AT_LEAST_EVERY))
            .await;
    }
}

/// A JSON answer with the read model's position.
pub struct Read<T>(pub ModelVersion, pub T);

impl<T: Serialize> IntoResponse for Read<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.1).into_response();
        response
            .headers_mut()
            .insert(PROJECTION_POSITION, HeaderValue::from(self.0.position.0));
        response
    }
}
