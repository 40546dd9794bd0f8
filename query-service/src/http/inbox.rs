//! `GET /v1/inbox/team` and `GET /v1/inbox/mine`.

use std::sync::Arc;

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, Problem, QueryParams};
use caselog_read_model::ConversationStatus;
use caselog_schemas::events::Channel;

use super::cache::{InboxKey, count};
use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, require_reader};
use crate::read_models::conversations::{self, AssigneeFilter, ConversationSummary, InboxFilter};
use crate::read_models::{Projection, Viewer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(team_inbox))
        .routes(routes!(my_inbox))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TeamInboxParams {
    group_id: Option<Uuid>,
    /// open, resolved or closed; several comma-separated (`open,resolved`: not closed).
    status: Option<String>,
    /// webchat, whatsapp, sms or email.
    #[param(value_type = Option<String>)]
    channel: Option<Channel>,
    /// `me`, `none`, or a user id.
    assignee: Option<String>,
    unread: Option<bool>,
    unreplied: Option<bool>,
    /// Searches the contact's name and the messages' text.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MyInboxParams {
    /// open, resolved or closed; several comma-separated (`open,resolved`: not closed).
    status: Option<String>,
    /// webchat, whatsapp, sms or email.
    #[param(value_type = Option<String>)]
    channel: Option<Channel>,
    unread: Option<bool>,
    unreplied: Option<bool>,
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The statuses a `status` filter names (a deleted conversation leaves the inbox:
/// that status is never listed).
fn statuses(filter: Option<&str>) -> Result<Option<Vec<ConversationStatus>>, ApiError> {
    let Some(filter) = filter else {
        return Ok(None);
    };
    let listed = [
        ConversationStatus::Open,
        ConversationStatus::Resolved,
        ConversationStatus::Closed,
    ];
    let mut statuses = Vec::new();
    for name in filter.split(',').map(str::trim) {
        let status = listed
            .into_iter()
            .find(|status| status.as_str() == name)
            .ok_or_else(|| {
                Problem::validation(
                    "status must be open, resolved or closed, or several of them \
                     comma-separated",
                )
            })?;
        if !statuses.contains(&status) {
            statuses.push(status);
        }
    }
    statuses.sort_by_key(|status| status.as_str());
    Ok(Some(statuses))
}

fn parse_cursor(cursor: &Option<String>) -> Result<Option<(i64, Uuid)>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let (position, id) = cursor.split_once('_').ok_or_else(invalid_cursor)?;
    Ok(Some((
        position.parse().map_err(|_| invalid_cursor())?,
        id.parse().map_err(|_| invalid_cursor())?,
    )))
}

fn cursor_of(summary: &ConversationSummary) -> String {
    format!("{}_{}", summary.last_activity_position, summary.id)
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// A group's inbox and counters are its members' (and every group's are the owners',
/// admins' and auditors').
pub(super) async fn require_group_member(
    state: &AppState,
    viewer: &Viewer,
    group_id: Option<Uuid>,
) -> Result<(), ApiError> {
    let Some(group_id) = group_id.filter(|_| !viewer.all_groups) else {
        return Ok(());
    };
    if conversations::groups_of(&state.pool, viewer)
        .await?
        .contains(&group_id)
    {
        Ok(())
    } else {
        Err(Problem::forbidden(format!("you are not a member of group {group_id}")).into())
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    min: MinPosition,
    filter: InboxFilter,
) -> Result<Read<Page<ConversationSummary>>, ApiError> {
    let viewer = Viewer::of(caller);
    let version = settle(state, Projection::Inbox, viewer.tenant_id, min).await?;
    require_group_member(state, &viewer, filter.group_id).await?;
    let key = InboxKey {
        viewer,
        filter: filter.clone(),
        inbox_version: version.tenant_position,
    };
    let mut hit = true;
    let items = state
        .caches
        .inbox
        .try_get_with(key, async {
            hit = false;
            conversations::inbox(&state.pool, &viewer, &filter)
                .await
                .map(Arc::new)
        })
        .await?;
    count("inbox", hit);
    // Visibility again, on the entry as cached.
    let items: Vec<ConversationSummary> = items
        .iter()
        .filter(|item| viewer.may_see(item.visible_to.as_deref()))
        .cloned()
        .collect();
    Ok(Read(version, Page::new(items, filter.limit, cursor_of)))
}

/// The team inbox, newest activity first: a group's conversations (a member's, or an
/// owner's, admin's or auditor's), or every conversation of my groups, of no group and
/// assigned to me (every group's for owners, admins and auditors).
#[utoipa::path(get, path = "/v1/inbox/team", params(MinPosition, TeamInboxParams), tag = "inbox",
    responses((status = 200, body = Page<ConversationSummary>)))]
async fn team_inbox(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<TeamInboxParams>,
) -> Result<Read<Page<ConversationSummary>>, ApiError> {
    require_reader(&caller)?;
    let assignee = match params.assignee.as_deref() {
        None => AssigneeFilter::Anyone,
        Some("me") => AssigneeFilter::User(caller.user_id.0),
        Some("none") => AssigneeFilter::Nobody,
        Some(id) => AssigneeFilter::User(
            id.parse()
                .map_err(|_| Problem::validation("assignee must be me, none or a user id"))?,
        ),
    };
    let filter = InboxFilter {
        group_id: params.group_id,
        status: statuses(params.status.as_deref())?,
        channel: params.channel,
        assignee,
        unread: params.unread,
        unreplied: params.unreplied,
        text: non_blank(params.q),
        after: parse_cursor(&params.cursor)?,
        limit: limit(params.limit)?,
    };
    page(&state, &caller, min, filter).await
}

/// My inbox: the conversations assigned to me.
#[utoipa::path(get, path = "/v1/inbox/mine", params(MinPosition, MyInboxParams), tag = "inbox",
    responses((status = 200, body = Page<ConversationSummary>)))]
async fn my_inbox(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<MyInboxParams>,
) -> Result<Read<Page<ConversationSummary>>, ApiError> {
    require_reader(&caller)?;
    let filter = InboxFilter {
        group_id: None,
        status: statuses(params.status.as_deref())?,
        channel: params.channel,
        assignee: AssigneeFilter::User(caller.user_id.0),
        unread: params.unread,
        unreplied: params.unreplied,
        text: non_blank(params.q),
        after: parse_cursor(&params.cursor)?,
        limit: limit(params.limit)?,
    };
    page(&state, &caller, min, filter).await
}
