//! Who handles a conversation and where it stands: assignment, visibility,
//! accept/reject/leave, read marks, resolve/close/reopen and delete.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::UserId;

use super::command_context::CommandContext;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::{ACCOUNT_ADMINS, STAFF};
use super::{AppState, run_conversation_command};
use crate::domain::conversation::ConversationCommand;

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

/// Assigns the conversation to one or more users (a transfer when it replaces others).
#[utoipa::path(post, path = "/v1/conversations/{id}/assign", request_body = AssignBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn assign(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<AssignBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "assignees", &body.assignees)
        .await?;
    let assignee_groups = state
        .lookup
        .groups_of(context.tenant(), &body.assignees)
        .await?;
    let command = ConversationCommand::AssignConversation {
        actor: context.actor(),
        assignees: body.assignees,
        assignee_groups,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// Restricts who may see the conversation (assignees must stay within the list).
#[utoipa::path(post, path = "/v1/conversations/{id}/visibility", request_body = VisibilityBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn set_visibility(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<VisibilityBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    if let Some(list) = &body.visible_to {
        state
            .lookup
            .require_users(context.tenant(), "visible_to", list)
            .await?;
    }
    let command = ConversationCommand::SetVisibility {
        actor: context.actor(),
        visible_to: body.visible_to,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// A bodiless command that needs nothing but the acting staff member; the role is
/// checked here, the finer rules (assignee or admin) in `decide`.
macro_rules! staff_command {
    ($handler:ident, $path:literal, $doc:literal, $command:ident) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "conversations",
                                            responses((status = 200, body = CommandResponse)))]
        async fn $handler(
            State(state): State<AppState>,
            context: CommandContext,
            Path(id): Path<Uuid>,
        ) -> Result<CommandResponse, ApiError> {
            context.require_role(STAFF)?;
            let command = ConversationCommand::$command {
                actor: context.actor(),
            };
            run_conversation_command(&state, &context, id, command).await
        }
    };
}

/// Accepts an offered chat: joins its assignees (in a group's conversation, a member
/// of the group, or an account admin).
#[utoipa::path(post, path = "/v1/conversations/{id}/accept", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn accept(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let caller = context.actor().user_id;
    let mut groups = state.lookup.groups_of(context.tenant(), &[caller]).await?;
    let command = ConversationCommand::AcceptConversation {
        actor: context.actor(),
        groups: groups.remove(&caller).unwrap_or_default(),
    };
    run_conversation_command(&state, &context, id, command).await
}

staff_command!(
    reject,
    "/v1/conversations/{id}/reject",
    "Rejects an offered chat.",
    RejectConversation
);
staff_command!(
    leave,
    "/v1/conversations/{id}/leave",
    "Leaves the conversation (drops out of its assignees).",
    LeaveConversation
);
staff_command!(
    mark_read,
    "/v1/conversations/{id}/read",
    "Marks everything in the conversation read for the caller.",
    MarkConversationRead
);
staff_command!(
    resolve,
    "/v1/conversations/{id}/resolve",
    "Resolves the conversation (an assignee or an account admin).",
    ResolveConversation
);
staff_command!(
    close,
    "/v1/conversations/{id}/close",
    "Closes the conversation; refused while an invoice in it is unpaid.",
    CloseConversation
);
staff_command!(
    reopen,
    "/v1/conversations/{id}/reopen",
    "Reopens a resolved or closed conversation.",
    ReopenConversation
);

/// Deletes the conversation for good (account admins; not with an unpaid invoice).
#[utoipa::path(delete, path = "/v1/conversations/{id}", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn delete_conversation(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let command = ConversationCommand::DeleteConversation {
        actor: context.actor(),
    };
    run_conversation_command(&state, &context, id, command).await
}
