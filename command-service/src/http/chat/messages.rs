//! Messages, reactions, a member's channel preferences and a user's notification
//! preferences.

use axum::extract::{Path, State};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::UserId;
use caselog_schemas::events::{
    Attachment, DeliveryPreference, MessageContent, NotificationLevel, Voice,
};

use super::super::AppState;
use super::super::command_context::CommandContext;
use super::super::directory::run_directory_command;
use super::super::error::ApiError;
use super::super::response::CommandResponse;
use super::super::roles::STAFF;
use super::run_channel_command;
use crate::domain::chat::ChatCommand;
use crate::domain::directory::DirectoryCommand;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_message))
        .routes(routes!(delete_message))
        .routes(routes!(react, unreact))
        .routes(routes!(set_member_preferences))
        .routes(routes!(set_notification_preferences))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatMessageBody {
    /// `@<user id>` in the text mentions that user.
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    voice: Option<Voice>,
    /// Mentioned users, besides those written as `@<user id>`.
    #[serde(default)]
    mentions: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReactionBody {
    /// One emoji, or a short code such as `:tada:`.
    #[schema(pattern = "\\S", max_length = 64)]
    emoji: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPreferencesBody {
    /// `all`, `mentions` or `none`.
    level: NotificationLevel,
    #[serde(default)]
    muted: bool,
    /// Visible to you only.
    personal_note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferencesBody {
    /// Default: bell on, email off (for each type left out).
    #[serde(default)]
    mention: DeliveryPreference,
    #[serde(default)]
    dm: DeliveryPreference,
    #[serde(default)]
    announcement: DeliveryPreference,
}

/// Posts a message (members; in an announcement channel, its authors).
#[utoipa::path(post, path = "/v1/chat/channels/{id}/messages", request_body = ChatMessageBody,
    tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn post_message(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<ChatMessageBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_mentioned_users(context.tenant(), body.text.as_deref(), &body.mentions)
        .await?;
    let message_id = context.new_id();
    let command = ChatCommand::PostMessage {
        message_id,
        content: MessageContent {
            text: body.text,
            attachments: body.attachments,
            voice: body.voice,
        },
        mentions: body.mentions,
        now: Utc::now(),
    };
    Ok(run_channel_command(&state, &context, id, command)
        .await?
        .with_id(message_id))
}

/// Deletes a message or a shared card (account owners and admins only).
#[utoipa::path(delete, path = "/v1/chat/channels/{id}/messages/{message_id}", tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn delete_message(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::DeleteMessage { message_id };
    run_channel_command(&state, &context, id, command).await
}

/// Reacts to a message with an emoji.
#[utoipa::path(post, path = "/v1/chat/channels/{id}/messages/{message_id}/reactions",
    request_body = ReactionBody, tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn react(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
    JsonBody(body): JsonBody<ReactionBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::React {
        message_id,
        emoji: body.emoji,
    };
    run_channel_command(&state, &context, id, command).await
}

/// Takes back one's reaction.
#[utoipa::path(delete, path = "/v1/chat/channels/{id}/messages/{message_id}/reactions",
    request_body = ReactionBody, tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn unreact(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
    JsonBody(body): JsonBody<ReactionBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::Unreact {
        message_id,
        emoji: body.emoji,
    };
    run_channel_command(&state, &context, id, command).await
}

/// The caller's notification level, mute and personal note in one channel.
#[utoipa::path(put, path = "/v1/chat/channels/{id}/preferences",
    request_body = MemberPreferencesBody, tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn set_member_preferences(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<MemberPreferencesBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::SetMemberPreferences {
        level: body.level,
        muted: body.muted,
        personal_note: body.personal_note,
    };
    run_channel_command(&state, &context, id, command).await
}

/// Which chat notifications (mention, DM, announcement) go to the caller's bell and email.
#[utoipa::path(put, path = "/v1/chat/notification-preferences",
    request_body = NotificationPreferencesBody, tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn set_notification_preferences(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<NotificationPreferencesBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let settings = state.lookup.settings(context.tenant()).await?;
    let command = DirectoryCommand::SetNotificationPreferences {
        mention: body.mention,
        dm: body.dm,
        announcement: body.announcement,
        chat_enabled: settings.internal_chat_enabled,
    };
    let user_id = context.caller.user_id.0;
    run_directory_command(&state, &context, user_id, command).await
}
