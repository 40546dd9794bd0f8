//! One conversation: `GET /v1/conversations/{id}` (summary with first response,
//! duration and rating), its history, and its internal messages for me.

use std::sync::Arc;

use axum::extract::{Path, State};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, ClientAddress, Problem, QueryParams};
use caselog_schemas::events::RecordKind;
use caselog_schemas::{Position, Role};

use super::cache::{Case, ConversationKey, HistoryKey, count};
use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, as_of, audit_access, require_reader};
use crate::audit::AsOf;
use crate::audit::replay;
use crate::read_models::conversations::{self, ConversationSummary};
use crate::read_models::history::{self, HistoryEntry};
use crate::read_models::internal_messages::{self, InternalMessage};
use crate::read_models::{Projection, Viewer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(conversation))
        .routes(routes!(conversation_history))
        .routes(routes!(conversation_internal_messages))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    /// From start to close (or to now while it is not closed).
    pub duration_seconds: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// A log position or an RFC 3339 time: the history exactly as it stood then,
    /// replayed from the log (erased content as placeholders).
    as_of: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InternalMessageParams {
    /// Only those sent to me and not read yet.
    unread: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn position_cursor(cursor: &Option<String>) -> Result<Position, Problem> {
    match cursor {
        None => Ok(Position::BEFORE_FIRST),
        Some(text) => text.parse().map(Position).map_err(|_| invalid_cursor()),
    }
}

/// A conversation's summary with first response, duration and rating.
#[utoipa::path(get, path = "/v1/conversations/{id}", params(MinPosition), tag = "conversations",
    responses((status = 200, body = ConversationDetail)))]
async fn conversation(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Read<ConversationDetail>, ApiError> {
    require_reader(&caller)?;
    let viewer = Viewer::of(&caller);
    let version = settle(&state, Projection::Inbox, viewer.tenant_id, min).await?;
    // Cached for the whole tenant, as a viewer who sees everything would see it; the
    // caller's own visibility and unread mark are applied below on every hit.
    let everyone = Viewer {
        sees_all: true,
        ..viewer
    };
    let mut hit = true;
    let found = state
        .caches
        .conversation
        .try_get_with(
            ConversationKey {
                case: Case {
                    tenant_id: viewer.tenant_id,
                    conversation_id: id,
                },
                inbox_version: version.tenant_position,
            },
            async {
                hit = false;
                conversations::conversation(&state.pool, &everyone, id)
                    .await
                    .map(Arc::new)
            },
        )
        .await?;
    count("conversation", hit);
    let summary = found
        .as_ref()
        .as_ref()
        .filter(|summary| viewer.may_see(summary.visible_to.as_deref()))
        .ok_or_else(Problem::not_found)?;
    // The unread flag is the viewer's own: their read mark, not the shared entry's.
    let read = conversations::read_position(&state.pool, &viewer, id).await?;
    let mut summary = summary.clone();
    summary.unread = summary.last_inbound_position > read;
    let end = summary.closed_at.unwrap_or_else(Utc::now);
    let duration_seconds = (end - summary.started_at).num_seconds().max(0);
    Ok(Read(
        version,
        ConversationDetail {
            summary,
            duration_seconds,
        },
    ))
}

/// The case history: every message, note, internal message, assignment, visibility
/// and status change, with actor and time, oldest first. With `as_of`, replayed from
/// the log as it stood at that position or time.
#[utoipa::path(get, path = "/v1/conversations/{id}/history", params(MinPosition, HistoryParams),
    tag = "conversations", responses((status = 200, body = Page<HistoryEntry>)))]
async fn conversation_history(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientAddress,
    min: MinPosition,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<HistoryParams>,
) -> Result<Read<Page<HistoryEntry>>, ApiError> {
    require_reader(&caller)?;
    let viewer = Viewer::of(&caller);
    let limit = limit(params.limit)?;
    let after = position_cursor(&params.cursor)?;
    let version = settle(&state, Projection::History, viewer.tenant_id, min).await?;
    let as_of: Option<AsOf> = as_of(params.as_of.as_deref())?;
    // A moment in the past, or a deleted case (gone from the read models; auditors
    // only), is replayed from the log.
    let from_log = if as_of.is_some() || caller.role == Role::Auditor {
        let deleted = audit_access(&state, &caller, id).await?;
        as_of.is_some() || deleted
    } else {
        false
    };
    if from_log {
        let file = replay::case_file(&state.reader, caller.tenant_id, id, as_of)
            .await?
            .ok_or_else(Problem::not_found)?;
        let as_of = Position(file.header.position);
        record_history_read(&state, &caller, &client, id, as_of).await?;
        let contact_id = file.header.contact_id;
        let mut entries: Vec<HistoryEntry> = file
            .entries
            .into_iter()
            .filter(|entry| entry.position > after.0)
            .take(limit as usize)
            .map(HistoryEntry::from)
            .collect();
        replay::tell(&state.reader, caller.tenant_id, contact_id, &mut entries).await?;
        let page = Page::new(entries, limit, |entry| entry.position.to_string());
        return Ok(Read(version, page));
    }
    let key = HistoryKey {
        case: Case {
            tenant_id: viewer.tenant_id,
            conversation_id: id,
        },
        after_position: after,
        limit,
        history_version: version.tenant_position,
    };
    let mut hit = true;
    let cached = state
        .caches
        .history
        .try_get_with(key, async {
            hit = false;
            let access =
                history::access(&state.pool, Projection::History, viewer.tenant_id, id).await?;
            let mut entries =
                history::entries(&state.pool, viewer.tenant_id, id, after, limit).await?;
            let contact_id = history::contact_of(&state.pool, viewer.tenant_id, id).await?;
            replay::tell(&state.reader, viewer.tenant_id, contact_id, &mut entries)
                .await
                .map_err(as_sqlx)?;
            Ok::<_, sqlx::Error>(Arc::new((access, entries)))
        })
        .await?;
    count("history", hit);
    let (access, entries) = cached.as_ref();
    if !access.as_ref().is_some_and(|access| access.allows(&viewer)) {
        return Err(Problem::not_found().into());
    }
    record_history_read(&state, &caller, &client, id, version.position).await?;
    let page = Page::new(entries.clone(), limit, |entry| entry.position.to_string());
    Ok(Read(version, page))
}

async fn record_history_read(
    state: &AppState,
    caller: &Caller,
    client: &ClientAddress,
    id: Uuid,
    as_of: Position,
) -> Result<(), ApiError> {
    let read = crate::audit::access::Read {
        caller,
        client,
        what: RecordKind::History,
        conversation_id: Some(id),
        as_of,
    };
    Ok(state.access.record(read).await?)
}

/// The case's internal messages that I sent or received.
#[utoipa::path(get, path = "/v1/conversations/{id}/internal-messages",
    params(MinPosition, InternalMessageParams), tag = "internal messages",
    responses((status = 200, body = Page<InternalMessage>)))]
async fn conversation_internal_messages(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<InternalMessageParams>,
) -> Result<Read<Page<InternalMessage>>, ApiError> {
    require_reader(&caller)?;
    let viewer = Viewer::of(&caller);
    let limit = limit(params.limit)?;
    let after = position_cursor(&params.cursor)?;
    let version = settle(&state, Projection::InternalMessages, viewer.tenant_id, min).await?;
    let access = history::access(
        &state.pool,
        Projection::InternalMessages,
        viewer.tenant_id,
        id,
    )
    .await?;
    if !access.is_some_and(|access| access.allows(&viewer)) {
        return Err(Problem::not_found().into());
    }
    let messages = internal_messages::for_viewer(
        &state.pool,
        &viewer,
        id,
        params.unread.unwrap_or(false),
        after,
        limit,
    )
    .await?;
    let page = Page::new(messages, limit, |message| message.position.to_string());
    Ok(Read(version, page))
}

/// The history cache shares one error type; a log read's other failures (an entry that
/// does not decode) travel inside it.
fn as_sqlx(error: caselog_eventlog::ReadError) -> sqlx::Error {
    match error {
        caselog_eventlog::ReadError::Database(error) => error,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}
