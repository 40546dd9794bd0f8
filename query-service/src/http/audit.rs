//! The auditors' routes: a conversation's hash-chain verification and the tenant's raw
//! event feed. Both read the log itself.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, ClientAddress, Problem, QueryParams};
use caselog_schemas::events::RecordKind;
use caselog_schemas::{EventEnvelope, Role};

use super::consistency::{MinPosition, settle};
use super::pagination::{Page, after_position, limit};
use super::{ApiError, AppState, audit_access, require_reader};
use crate::audit::access;
use crate::audit::replay::conversation_stream;
use crate::read_models::Projection;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_conversation))
        .routes(routes!(raw_events))
}

/// What verification of one conversation's hash chain found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub ok: bool,
    /// Events checked.
    pub events: i64,
    /// Hex SHA-256 of the last event: what a printout of the case shows.
    pub head_hash: Option<String>,
    /// Log position of the last event.
    pub head_position: Option<i64>,
    /// The first stream version whose stored fields or link do not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Recomputes the conversation's hash chain from the stored events.
#[utoipa::path(get, path = "/v1/conversations/{id}/verify", params(MinPosition), tag = "audit",
    responses((status = 200, body = Verification)))]
async fn verify_conversation(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Json<Verification>, ApiError> {
    require_reader(&caller)?;
    settle(&state, Projection::History, caller.tenant_id, min).await?;
    audit_access(&state, &caller, id).await?;
    let report = state
        .reader
        .verify_stream(&conversation_stream(caller.tenant_id, id), None)
        .await?;
    if report.events == 0 {
        return Err(Problem::not_found().into());
    }
    Ok(Json(Verification {
        ok: report.ok,
        events: report.events,
        head_hash: report.head_hash,
        head_position: report.head_position.map(|position| position.0),
        first_broken_version: report.first_broken_version.map(|version| version.0),
        reason: report.reason,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// Events after this log position (0: from the start). `next_cursor` is the next `after`.
    after: Option<i64>,
    limit: Option<i64>,
}

/// The tenant's events exactly as stored (personal fields sealed), in log order.
/// Auditors only.
#[utoipa::path(get, path = "/v1/events", params(FeedParams), tag = "audit",
    responses((status = 200, body = Page<serde_json::Value>)))]
async fn raw_events(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientAddress,
    QueryParams(params): QueryParams<FeedParams>,
) -> Result<Json<Page<EventEnvelope>>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let limit = limit(params.limit)?;
    let after = after_position(params.after)?;
    let events = state
        .reader
        .read_tenant_after(caller.tenant_id, after, limit)
        .await?;
    let read = access::Read {
        caller: &caller,
        client: &client,
        what: RecordKind::RawFeed,
        conversation_id: None,
        as_of: events.last().map_or(after, |event| event.position),
    };
    state.access.record(read).await?;
    Ok(Json(Page::new(events, limit, |event| {
        event.position.0.to_string()
    })))
}
