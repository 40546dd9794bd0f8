//! Who handles a conversation and where it stands: assignment, visibility,
//! accept/reject/leave, read marks, resolve/close/reopen and delete.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, JsonBody};
use caselog_schemas::UserId;

use super::command_headers::CommandHeaders;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::{ACCOUNT_ADMINS, STAFF};
use super::{AppState, domain_actor, require_users, run_conversation_command};
use crate::domain::conversation::{Actor, ConversationCommand};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assign))
        .routes(routes!(set_visibility))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(leave))
        .routes(routes!(mark_read))
        .routes(routes!(resolve))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(delete_conversation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// Replaces the set; `[]` unassigns.
    assignees: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisibilityBody {
    /// The users who may see the conversation; null: everyone.
    visible_to: Option<Vec<UserId>>,
}

/// Runs a command that needs nothing but the acting staff member.
async fn by_staff(
    state: AppState,
    caller: Caller,
    id: Uuid,
    headers: CommandHeaders,
    command: fn(Actor) -> ConversationCommand,
) -> Result<CommandResponse, ApiError> {
    caller.require_role(STAFF)?;
    let command = command(domain_actor(&caller));
    run_conversation_command(&state, &caller, id, headers, command).await
}

/// Assigns the conversation to one or more users (a transfer when it replaces others).
#[utoipa::path(post, path = "/v1/conversations/{id}/assign", request_body = AssignBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
    JsonBody(body): JsonBody<AssignBody>,
) -> Result<CommandResponse, ApiError> {
    caller.require_role(STAFF)?;
    require_users(&state, &caller, "assignees", &body.assignees).await?;
    let command = ConversationCommand::AssignConversation {
        actor: domain_actor(&caller),
        assignees: body.assignees,
    };
    run_conversation_command(&state, &caller, id, headers, command).await
}

/// Restricts who may see the conversation (assignees must stay within the list).
#[utoipa::path(post, path = "/v1/conversations/{id}/visibility", request_body = VisibilityBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn set_visibility(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
    JsonBody(body): JsonBody<VisibilityBody>,
) -> Result<CommandResponse, ApiError> {
    caller.require_role(STAFF)?;
    if let Some(list) = &body.visible_to {
        require_users(&state, &caller, "visible_to", list).await?;
    }
    let command = ConversationCommand::SetVisibility {
        actor: domain_actor(&caller),
        visible_to: body.visible_to,
    };
    run_conversation_command(&state, &caller, id, headers, command).await
}

/// Accepts an offered chat (joins its assignees).
#[utoipa::path(post, path = "/v1/conversations/{id}/accept", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::AcceptConversation { actor }
    })
    .await
}

/// Rejects an offered chat.
#[utoipa::path(post, path = "/v1/conversations/{id}/reject", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::RejectConversation { actor }
    })
    .await
}

/// Leaves the conversation (drops out of its assignees).
#[utoipa::path(post, path = "/v1/conversations/{id}/leave", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn leave(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::LeaveConversation { actor }
    })
    .await
}

/// Marks everything in the conversation read for the caller.
#[utoipa::path(post, path = "/v1/conversations/{id}/read", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::MarkConversationRead { actor }
    })
    .await
}

/// Resolves the conversation (an assignee or an account admin).
#[utoipa::path(post, path = "/v1/conversations/{id}/resolve", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::ResolveConversation { actor }
    })
    .await
}

/// Closes the conversation; refused while an invoice in it is unpaid.
#[utoipa::path(post, path = "/v1/conversations/{id}/close", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::CloseConversation { actor }
    })
    .await
}

/// Reopens a resolved or closed conversation.
#[utoipa::path(post, path = "/v1/conversations/{id}/reopen", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    by_staff(state, caller, id, headers, |actor| {
        ConversationCommand::ReopenConversation { actor }
    })
    .await
}

/// Deletes the conversation for good (account admins; not with an unpaid invoice).
#[utoipa::path(delete, path = "/v1/conversations/{id}", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn delete_conversation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: CommandHeaders,
) -> Result<CommandResponse, ApiError> {
    caller.require_role(ACCOUNT_ADMINS)?;
    let command = ConversationCommand::DeleteConversation {
        actor: domain_actor(&caller),
    };
    run_conversation_command(&state, &caller, id, headers, command).await
}
