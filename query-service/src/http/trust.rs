//! The auditors' verification of their whole tenant (README "Trusting the log"), and
//! the checkpoint keys it trusts.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_eventlog::verify::TrustReport;
use caselog_platform::http::Caller;
use caselog_schemas::Role;

use super::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_tenant))
        .routes(routes!(checkpoint_keys))
}

/// Verifies every event of the caller's tenant: each stream's chain, the tenant's
/// chain, every signed checkpoint in the log, and the newest checkpoint published on
/// NATS (a log cut short, with its checkpoints, still contradicts that copy).
/// Auditors only; 503 while NATS cannot be read.
#[utoipa::path(get, path = "/v1/audit/verify", tag = "audit",
    responses((status = 200, body = TrustReport)))]
async fn verify_tenant(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TrustReport>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    Ok(Json(state.verifier.tenant(caller.tenant_id).await?))
}

/// One public key checkpoints are verified with.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointKey {
    /// The id checkpoints name in `key_id`.
    pub key_id: String,
    /// Base64 of the Ed25519 public key.
    pub public_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointKeys {
    pub keys: Vec<CheckpointKey>,
}

/// The checkpoint public keys this deployment trusts. An auditor compares them with
/// the key the operator published before relying on them offline.
#[utoipa::path(get, path = "/v1/audit/checkpoint-keys", tag = "audit",
    responses((status = 200, body = CheckpointKeys)))]
async fn checkpoint_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CheckpointKeys>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let keys = state
        .verifier
        .keys
        .keys()
        .iter()
        .map(|key| CheckpointKey {
            key_id: key.id.clone(),
            public_key: key.to_base64(),
        })
        .collect();
    Ok(Json(CheckpointKeys { keys }))
}
