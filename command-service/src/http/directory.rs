//! Directory commands: users, groups, contacts (with presets), tenant settings, snippets.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::events::snippet_library_id;
use caselog_schemas::{Role, UserId};

use super::AppState;
use super::command_context::CommandContext;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::{ACCOUNT_ADMINS, STAFF_AND_INTEGRATION};
use crate::application::{self, directory_stream};
use crate::domain::directory::{
    self, ContactDetails, DirectoryCommand, DirectoryEntry, DirectoryRejection, SnippetFields,
    UserDetails,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_user, erase_user))
        .routes(routes!(put_group))
        .routes(routes!(put_contact))
        .routes(routes!(erase_contact))
        .routes(routes!(create_snippet))
        .routes(routes!(update_snippet, delete_snippet))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    #[schema(pattern = "\\S")]
    name: String,
    email: String,
    role: Role,
    #[serde(default)]
    groups: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    #[schema(pattern = "\\S")]
    name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(pattern = "\\S")]
    name: String,
    firstname: Option<String>,
    lastname: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    /// ISO 3166-1 alpha-2.
    country: Option<String>,
    group_id: Option<Uuid>,
    /// Users each new conversation of this contact is assigned to.
    #[serde(default)]
    auto_assign: Vec<UserId>,
    /// Restricted visibility for each new conversation of this contact; null: everyone.
    #[serde(default)]
    visible_to: Option<Vec<UserId>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnippetBody {
    /// Chosen by the client, or generated.
    id: Option<Uuid>,
    #[schema(pattern = "\\S")]
    name: String,
    /// May use `$contact.name`, `$contact.firstname`, `$contact.lastname`,
    /// `$contact.email`, `$contact.country`, `$contact.id`.
    #[schema(pattern = "\\S")]
    text: String,
    theme: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnippetUpdateBody {
    #[schema(pattern = "\\S")]
    name: String,
    #[schema(pattern = "\\S")]
    text: String,
    theme: Option<String>,
}

/// Runs a command against a directory entry's stream (a user, group, contact, the
/// tenant's settings or its snippet library).
pub(super) async fn run_directory_command(
    state: &AppState,
    context: &CommandContext,
    entry_id: Uuid,
    command: DirectoryCommand,
) -> Result<CommandResponse, ApiError> {
    let executed = state
        .executor
        .execute::<DirectoryEntry, DirectoryRejection>(
            directory_stream(context.tenant(), entry_id),
            &context.options(),
            |entry| directory::decide(entry_id, entry, command.clone()),
        )
        .await?;
    Ok(CommandResponse::from_executed(executed))
}

/// Creates or replaces a user.
#[utoipa::path(put, path = "/v1/users/{id}", request_body = UserBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn put_user(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    state
        .lookup
        .require_groups(context.tenant(), "groups", &body.groups)
        .await?;
    let command = DirectoryCommand::UpsertUser(UserDetails {
        name: body.name,
        email: body.email,
        role: body.role,
        groups: body.groups,
    });
    run_directory_command(&state, &context, id, command).await
}

/// Erases a user who left: their name and email become `[erased]` everywhere, in the
/// log (their data key is destroyed), on NATS and in every read model; what they did
/// stays, under their id, and the id can never be a user again.
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "directory",
    responses((status = 200, body = CommandResponse)))]
async fn erase_user(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    run_directory_command(&state, &context, id, DirectoryCommand::EraseUser).await
}

/// Erases a contact as a data subject: every conversation they ever had is erased (its
/// data key destroyed, the case gone from the read models), then the contact (their
/// name, email and phone read `[erased]` everywhere). The chains still verify; the id
/// can never be a contact again. Owners and admins.
#[utoipa::path(post, path = "/v1/contacts/{id}/erase", tag = "directory",
    responses((status = 200, body = CommandResponse)))]
async fn erase_contact(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let (executed, _) = application::erase_contact(
        &state.executor,
        context.tenant(),
        id,
        context.actor(),
        &context.options(),
    )
    .await?;
    Ok(CommandResponse::from_executed(executed))
}

/// Creates or renames a group (each group has a team inbox).
#[utoipa::path(put, path = "/v1/groups/{id}", request_body = GroupBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn put_group(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    run_directory_command(
        &state,
        &context,
        id,
        DirectoryCommand::UpsertGroup { name: body.name },
    )
    .await
}

/// Creates or replaces a contact and its presets.
#[utoipa::path(put, path = "/v1/contacts/{id}", request_body = ContactBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn put_contact(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<ContactBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF_AND_INTEGRATION)?;
    if let Some(group_id) = body.group_id {
        state
            .lookup
            .require_groups(context.tenant(), "group_id", &[group_id])
            .await?;
    }
    state
        .lookup
        .require_users(context.tenant(), "auto_assign", &body.auto_assign)
        .await?;
    if let Some(visible_to) = &body.visible_to {
        state
            .lookup
            .require_users(context.tenant(), "visible_to", visible_to)
            .await?;
    }
    let command = DirectoryCommand::UpsertContact {
        details: ContactDetails {
            name: body.name,
            firstname: body.firstname,
            lastname: body.lastname,
            email: body.email,
            phone: body.phone,
            country: body.country,
            group_id: body.group_id,
        },
        auto_assign: body.auto_assign,
        visible_to: body.visible_to,
    };
    run_directory_command(&state, &context, id, command).await
}

/// Adds a snippet to the tenant's library (at most 5000).
#[utoipa::path(post, path = "/v1/snippets", request_body = SnippetBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn create_snippet(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<SnippetBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let snippet_id = body.id.unwrap_or_else(Uuid::now_v7);
    let command = DirectoryCommand::CreateSnippet {
        snippet_id,
        fields: SnippetFields {
            name: body.name,
            text: body.text,
            theme: body.theme,
        },
    };
    let library = snippet_library_id(context.tenant().0);
    Ok(run_directory_command(&state, &context, library, command)
        .await?
        .with_id(snippet_id))
}

/// Changes a snippet.
#[utoipa::path(put, path = "/v1/snippets/{id}", request_body = SnippetUpdateBody, tag = "directory",
    responses((status = 200, body = CommandResponse)))]
async fn update_snippet(
    State(state): State<AppState>,
    context: CommandContext,
    Path(snippet_id): Path<Uuid>,
    JsonBody(body): JsonBody<SnippetUpdateBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let command = DirectoryCommand::UpdateSnippet {
        snippet_id,
        fields: SnippetFields {
            name: body.name,
            text: body.text,
            theme: body.theme,
        },
    };
    let library = snippet_library_id(context.tenant().0);
    run_directory_command(&state, &context, library, command).await
}

/// Removes a snippet.
#[utoipa::path(delete, path = "/v1/snippets/{id}", tag = "directory",
    responses((status = 200, body = CommandResponse)))]
async fn delete_snippet(
    State(state): State<AppState>,
    context: CommandContext,
    Path(snippet_id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let library = snippet_library_id(context.tenant().0);
    run_directory_command(
        &state,
        &context,
        library,
        DirectoryCommand::DeleteSnippet { snippet_id },
    )
    .await
}
