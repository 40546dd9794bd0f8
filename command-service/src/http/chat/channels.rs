//! Channels, their members and roles, announcement authors, and direct messages.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::UserId;
use caselog_schemas::events::{ChannelAvatar, ChannelKind, ChannelRole, direct_message_id};

use super::super::AppState;
use super::super::command_context::CommandContext;
use super::super::error::ApiError;
use super::super::present;
use super::super::response::CommandResponse;
use super::super::roles::STAFF;
use super::run_channel_command;
use crate::domain::chat::{ChannelChanges, ChatCommand};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_channel))
        .routes(routes!(update_channel))
        .routes(routes!(join_channel))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(change_member_role))
        .routes(routes!(set_announcement_authors))
        .routes(routes!(open_direct_message))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannelBody {
    /// Chosen by the client, or generated.
    id: Option<Uuid>,
    #[schema(pattern = "\\S", max_length = 80)]
    name: String,
    /// `public`, `private` or `announcement`.
    kind: ChannelKind,
    description: Option<String>,
    /// `{"image_url"}` or `{"icon", "color"}`.
    avatar: Option<ChannelAvatar>,
    /// The first members besides the creator, who is the owner.
    #[serde(default)]
    members: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannelBody {
    #[schema(pattern = "\\S", max_length = 80)]
    name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<ChannelAvatar>)]
    avatar: Option<Option<ChannelAvatar>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    user_id: UserId,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    /// `admin` or `member`.
    role: ChannelRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorsBody {
    /// Who may post in the announcement channel (replaces the list).
    user_ids: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectMessageBody {
    /// The other person; yourself for notes to self.
    with: UserId,
}

/// Creates a public, private or announcement channel; the creator is its owner.
#[utoipa::path(post, path = "/v1/chat/channels", request_body = CreateChannelBody,
    tag = "chat", responses((status = 201, body = CommandResponse)))]
async fn create_channel(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<CreateChannelBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "members", &body.members)
        .await?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let command = ChatCommand::CreateChannel {
        kind: body.kind,
        name: body.name,
        description: body.description,
        avatar: body.avatar,
        members: body.members,
    };
    Ok(run_channel_command(&state, &context, id, command)
        .await?
        .with_id(id))
}

/// Renames a channel, or changes its description or avatar.
#[utoipa::path(patch, path = "/v1/chat/channels/{id}", request_body = UpdateChannelBody,
    tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn update_channel(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<UpdateChannelBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::UpdateChannel(ChannelChanges {
        name: body.name,
        description: body.description,
        avatar: body.avatar,
    });
    run_channel_command(&state, &context, id, command).await
}

/// Joins a public or announcement channel.
#[utoipa::path(post, path = "/v1/chat/channels/{id}/join", tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn join_channel(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    run_channel_command(&state, &context, id, ChatCommand::JoinChannel).await
}

/// Adds a member (channel owner/admin, account admin).
#[utoipa::path(post, path = "/v1/chat/channels/{id}/members", request_body = MemberBody,
    tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn add_member(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "user_id", &[body.user_id])
        .await?;
    let command = ChatCommand::AddMember {
        user_id: body.user_id,
    };
    run_channel_command(&state, &context, id, command).await
}

/// Removes a member (channel owner/admin, account admin), or leaves (yourself).
#[utoipa::path(delete, path = "/v1/chat/channels/{id}/members/{user_id}", tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn remove_member(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::RemoveMember {
        user_id: UserId(user_id),
    };
    run_channel_command(&state, &context, id, command).await
}

/// Promotes a member to channel admin, or demotes them.
#[utoipa::path(post, path = "/v1/chat/channels/{id}/members/{user_id}/role",
    request_body = RoleBody, tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn change_member_role(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ChatCommand::ChangeMemberRole {
        user_id: UserId(user_id),
        role: body.role,
    };
    run_channel_command(&state, &context, id, command).await
}

/// Sets who may post in an announcement channel.
#[utoipa::path(post, path = "/v1/chat/channels/{id}/authors", request_body = AuthorsBody,
    tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn set_announcement_authors(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<AuthorsBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "user_ids", &body.user_ids)
        .await?;
    let command = ChatCommand::SetAnnouncementAuthors {
        authors: body.user_ids,
    };
    run_channel_command(&state, &context, id, command).await
}

/// Opens the direct message with a teammate (or yourself); opening it again returns
/// the same channel id.
#[utoipa::path(post, path = "/v1/chat/dms", request_body = DirectMessageBody, tag = "chat",
    responses((status = 201, body = CommandResponse), (status = 200, body = CommandResponse)))]
async fn open_direct_message(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<DirectMessageBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "with", &[body.with])
        .await?;
    let id = direct_message_id(context.tenant().0, context.caller.user_id, body.with);
    let command = ChatCommand::OpenDirectMessage { with: body.with };
    Ok(run_channel_command(&state, &context, id, command)
        .await?
        .with_id(id))
}
