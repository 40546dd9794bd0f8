//! The internal chat's reads: my channel list, a channel, its messages and members, the
//! notification bell, a card, and my notification preferences. Staff only, and only
//! while the tenant has the chat switched on. A private channel or DM is "not found"
//! to anyone outside it.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, Problem, ProblemType, QueryParams};
use caselog_schemas::Role;
use caselog_schemas::events::NotificationPreferences;

use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState};
use crate::read_models::chat::cards::{self, Card};
use crate::read_models::chat::channels::{self, ChannelDetail, ChannelSummary, Member};
use crate::read_models::chat::messages::{self, ChatMessage};
use crate::read_models::chat::notifications::{self, Notification};
use crate::read_models::{ModelVersion, Projection, Viewer, chat};

/// The chat is the team's: auditors and integrations do not read it.
pub(super) const CHAT_READERS: &[Role] = &[Role::Owner, Role::Admin, Role::Supervisor, Role::Agent];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels))
        .routes(routes!(channel))
        .routes(routes!(channel_messages))
        .routes(routes!(channel_members))
        .routes(routes!(notification_bell))
        .routes(routes!(card))
        .routes(routes!(notification_preferences))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BellParams {
    /// Only the unread ones.
    unread: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Authorises a chat read and settles the read model (`X-Min-Position`).
async fn open(
    state: &AppState,
    caller: &Caller,
    min: MinPosition,
) -> Result<(Viewer, ModelVersion), ApiError> {
    caller.require_role(CHAT_READERS)?;
    let viewer = Viewer::of(caller);
    let version = settle(state, Projection::Chat, viewer.tenant_id, min).await?;
    // The switch is in the directory's read model: a read after switching waits for it.
    settle(state, Projection::Directory, viewer.tenant_id, min).await?;
    if !chat::switched_on(&state.pool, viewer.tenant_id).await? {
        return Err(Problem::new(
            ProblemType::Forbidden,
            "the internal chat is switched off for this account",
        )
        .into());
    }
    Ok((viewer, version))
}

/// Cards are built from the history (who may see a conversation) and inbox read models:
/// a read that shows cards waits for those too, so `X-Min-Position` covers a
/// visibility change made just before.
async fn settle_card_sources(
    state: &AppState,
    viewer: &Viewer,
    min: MinPosition,
) -> Result<(), ApiError> {
    settle(state, Projection::History, viewer.tenant_id, min).await?;
    settle(state, Projection::Inbox, viewer.tenant_id, min).await?;
    Ok(())
}

/// An offset cursor, for lists ordered by more than a position.
fn offset(cursor: &Option<String>) -> Result<i64, Problem> {
    match cursor {
        None => Ok(0),
        Some(text) => text
            .parse()
            .ok()
            .filter(|offset: &i64| *offset >= 0)
            .ok_or_else(invalid_cursor),
    }
}

/// A position cursor: items before it.
fn before(cursor: &Option<String>) -> Result<Option<i64>, Problem> {
    cursor
        .as_deref()
        .map(|text| text.parse().map_err(|_| invalid_cursor()))
        .transpose()
}

async fn visible_channel(
    state: &AppState,
    viewer: &Viewer,
    channel_id: Uuid,
) -> Result<ChannelDetail, ApiError> {
    channels::detail(&state.pool, viewer.tenant_id, viewer.user_id, channel_id)
        .await?
        .ok_or_else(|| Problem::not_found().into())
}

/// My channels and DMs with unread counts (latest activity first), then the public
/// and announcement channels I may join (`member: false`).
#[utoipa::path(get, path = "/v1/chat/channels", params(MinPosition, ListParams), tag = "chat",
    responses((status = 200, body = Page<ChannelSummary>)))]
async fn list_channels(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Read<Page<ChannelSummary>>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    let limit = limit(params.limit)?;
    let start = offset(&params.cursor)?;
    let items = channels::list(&state.pool, viewer.tenant_id, viewer.user_id, start, limit).await?;
    let next = start + items.len() as i64;
    Ok(Read(version, Page::new(items, limit, |_| next.to_string())))
}

/// A channel: details, my role, level, mute and personal note (mine only).
#[utoipa::path(get, path = "/v1/chat/channels/{id}", params(MinPosition), tag = "chat",
    responses((status = 200, body = ChannelDetail)))]
async fn channel(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Read<ChannelDetail>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    Ok(Read(version, visible_channel(&state, &viewer, id).await?))
}

/// A channel's messages, newest first, with reactions and cards as I may see them.
#[utoipa::path(get, path = "/v1/chat/channels/{id}/messages", params(MinPosition, ListParams), tag = "chat",
    responses((status = 200, body = Page<ChatMessage>)))]
async fn channel_messages(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Read<Page<ChatMessage>>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    let limit = limit(params.limit)?;
    let before = before(&params.cursor)?;
    visible_channel(&state, &viewer, id).await?;
    settle_card_sources(&state, &viewer, min).await?;
    let items = messages::page(&state.pool, &viewer, id, before, limit).await?;
    Ok(Read(
        version,
        Page::new(items, limit, |message| message.position.to_string()),
    ))
}

/// A channel's members: owner, admins, then members.
#[utoipa::path(get, path = "/v1/chat/channels/{id}/members", params(MinPosition, ListParams), tag = "chat",
    responses((status = 200, body = Page<Member>)))]
async fn channel_members(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Read<Page<Member>>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    let limit = limit(params.limit)?;
    let start = offset(&params.cursor)?;
    visible_channel(&state, &viewer, id).await?;
    let items = channels::members(&state.pool, viewer.tenant_id, id, start, limit).await?;
    let next = start + items.len() as i64;
    Ok(Read(version, Page::new(items, limit, |_| next.to_string())))
}

/// The bell: my mentions, DMs and announcements, newest first.
#[utoipa::path(get, path = "/v1/chat/notifications", params(MinPosition, BellParams), tag = "chat",
    responses((status = 200, body = Page<Notification>)))]
async fn notification_bell(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<BellParams>,
) -> Result<Read<Page<Notification>>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    let limit = limit(params.limit)?;
    let before = before(&params.cursor)?;
    settle_card_sources(&state, &viewer, min).await?;
    let items = notifications::page(
        &state.pool,
        &viewer,
        params.unread.unwrap_or(false),
        before,
        limit,
    )
    .await?;
    Ok(Read(
        version,
        Page::new(items, limit, |notification| {
            notification.position.to_string()
        }),
    ))
}

/// A shared card as I may see it (`state`: available, restricted, deleted, unavailable).
#[utoipa::path(get, path = "/v1/chat/cards/{card_id}", params(MinPosition), tag = "chat",
    responses((status = 200, body = Card)))]
async fn card(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(card_id): Path<Uuid>,
) -> Result<Read<Card>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    settle_card_sources(&state, &viewer, min).await?;
    let card = cards::one(&state.pool, &viewer, card_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Read(version, card))
}

/// Which notification kinds go to my bell and email.
#[utoipa::path(get, path = "/v1/chat/notification-preferences", params(MinPosition), tag = "chat",
    responses((status = 200, body = NotificationPreferences)))]
async fn notification_preferences(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
) -> Result<Read<NotificationPreferences>, ApiError> {
    let (viewer, version) = open(&state, &caller, min).await?;
    let stored = notifications::preferences(&state.pool, &viewer).await?;
    let preferences = stored
        .and_then(|stored| serde_json::from_value(stored).ok())
        .unwrap_or_default();
    Ok(Read(version, preferences))
}
