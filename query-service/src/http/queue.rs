//! `GET /v1/queue`: the customers waiting for a human reply, oldest first, for those
//! who monitor the operation.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, QueryParams};
use caselog_schemas::Role;

use super::consistency::{MinPosition, Read, settle};
use super::inbox::require_group_member;
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState};
use crate::read_models::queue::{self, QueueEntry, QueueFilter};
use crate::read_models::{Projection, Viewer};

/// Who monitors the queue.
const MONITORS: &[Role] = &[Role::Owner, Role::Admin, Role::Supervisor];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(waiting_queue))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    group_id: Option<Uuid>,
    /// Only the conversations nobody is assigned.
    unassigned: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn parse_cursor(cursor: Option<&str>) -> Result<Option<(DateTime<Utc>, Uuid)>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let (since, id) = cursor.split_once('_').ok_or_else(invalid_cursor)?;
    let micros: i64 = since.parse().map_err(|_| invalid_cursor())?;
    Ok(Some((
        DateTime::from_timestamp_micros(micros).ok_or_else(invalid_cursor)?,
        id.parse().map_err(|_| invalid_cursor())?,
    )))
}

fn cursor_of(entry: &QueueEntry) -> String {
    let since = entry
        .conversation
        .waiting_since
        .map_or(0, |since| since.timestamp_micros());
    format!("{since}_{}", entry.conversation.id)
}

/// The waiting queue: open conversations whose customer waits for a human reply,
/// oldest waiting first, with the waiting time and the first-response time (the
/// caller's groups, as the team inbox; every group's for owners and admins).
#[utoipa::path(get, path = "/v1/queue", params(MinPosition, QueueParams), tag = "inbox",
    responses((status = 200, body = Page<QueueEntry>)))]
async fn waiting_queue(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<QueueParams>,
) -> Result<Read<Page<QueueEntry>>, ApiError> {
    caller.require_role(MONITORS)?;
    let viewer = Viewer::of(&caller);
    let filter = QueueFilter {
        group_id: params.group_id,
        unassigned: params.unassigned.unwrap_or(false),
        after: parse_cursor(params.cursor.as_deref())?,
        limit: limit(params.limit)?,
    };
    let version = settle(&state, Projection::Inbox, viewer.tenant_id, min).await?;
    require_group_member(&state, &viewer, filter.group_id).await?;
    let entries = queue::queue(&state.pool, &viewer, &filter).await?;
    Ok(Read(version, Page::new(entries, filter.limit, cursor_of)))
}
