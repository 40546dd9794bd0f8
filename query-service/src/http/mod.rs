//! The read API. Each module exposes `router()`; this one merges them, collects their
//! OpenAPI descriptions, and holds what every handler shares.
//!
//! Every route: authenticate -> authorize (role) -> wait for `X-Min-Position` ->
//! read the model's version -> cache (keyed by tenant and that version; visibility
//! checked again on every hit) -> read model.

mod access;
mod audit;
mod cache;
mod chat;
mod consistency;
mod conversation;
mod dashboard;
mod directory;
mod error;
mod export;
mod exports;
mod files;
mod inbox;
mod internal_messages;
mod live;
mod openapi;
mod pagination;
mod queue;
mod trust;

use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use utoipa_axum::router::OpenApiRouter;

use caselog_eventlog::LogReader;
use caselog_platform::http::{ApiLimits, ApiService, Caller, Problem, finish_openapi};
use caselog_platform::token::TokenVerifier;
use caselog_schemas::Role;

use crate::read_models;

pub use cache::Caches;
use error::ApiError;

/// Who may read: the staff and auditors (integrations write, they do not read).
const READERS: &[Role] = &[
    Role::Owner,
    Role::Admin,
    Role::Supervisor,
    Role::Agent,
    Role::Auditor,
];

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub reader: LogReader,
    /// Verification of a whole tenant, with the checkpoint keys and NATS.
    pub verifier: crate::audit::trust::Verifier,
    /// Where reads by auditors, owners and admins are recorded.
    pub access: crate::audit::access::AccessLog,
    pub caches: Caches,
    pub tokens: TokenVerifier,
    pub limits: ApiLimits,
    pub export: ExportLimits,
    /// The read models' announced progress, which `X-Min-Position` waits on.
    pub progress: read_models::Progress,
    /// How long `X-Min-Position` may wait for a read model (`CASELOG_MIN_POSITION_WAIT_MS`).
    pub min_position_wait: Duration,
    /// How often the dashboard stream looks for a new version.
    pub stream_poll: Duration,
    pub shutdown: CancellationToken,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}

/// What one HTTP export may cost (`CASELOG_EXPORT_*`).
#[derive(Debug, Clone, Copy)]
pub struct ExportLimits {
    pub limits: crate::export::RenderLimits,
    pub render_time: Duration,
}

pub fn router(state: AppState) -> Router {
    let (api, document) = OpenApiRouter::with_openapi(openapi::document())
        .merge(inbox::router())
        .merge(queue::router())
        .merge(internal_messages::router())
        .merge(dashboard::router())
        .merge(conversation::router())
        .merge(directory::router())
        .merge(files::router())
        .merge(audit::router())
        .merge(access::router())
        .merge(export::router())
        .merge(exports::router())
        .merge(trust::router())
        .merge(chat::router())
        .split_for_parts();
    // The server-sent-events stream lives outside the request timeout.
    let api = caselog_platform::http::with_api_layers(api, &state.limits);
    api.merge(dashboard::stream_router())
        .merge(live::stream_router())
        .merge(caselog_platform::http::openapi_router(finish_openapi(
            document,
            ApiService::Query,
        )))
        .with_state(state)
}

fn require_reader(caller: &Caller) -> Result<(), Problem> {
    caller.require_role(READERS)
}

/// Who may read a case's audit views (history `as_of`, verify, export): whoever may see
/// it; a deleted case only an auditor (its content reads as placeholders). Returns
/// whether the case was deleted.
async fn audit_access(state: &AppState, caller: &Caller, id: uuid::Uuid) -> Result<bool, ApiError> {
    let viewer = read_models::Viewer::of(caller);
    let access = read_models::history::access(
        &state.pool,
        read_models::Projection::History,
        viewer.tenant_id,
        id,
    )
    .await?;
    match access {
        Some(access) if access.allows(&viewer) => Ok(false),
        Some(access) if access.deleted && caller.role == Role::Auditor => Ok(true),
        _ => Err(Problem::not_found().into()),
    }
}

/// The `as_of` query parameter, when given.
fn as_of(text: Option<&str>) -> Result<Option<crate::audit::AsOf>, Problem> {
    text.map(str::parse)
        .transpose()
        .map_err(|error: crate::audit::as_of::InvalidAsOf| Problem::validation(error.to_string()))
}
