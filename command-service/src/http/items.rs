//! The items integrations register so staff can share them as cards (a deal, a task, a
//! product, a charge, a calendar event, a broadcast, a campaign): what a card of one
//! shows and who may open it, read again on every read of the card.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_platform::http::JsonBody;
use caselog_schemas::events::{CardEntityType, ItemAccess, item_id};

use super::AppState;
use super::command_context::CommandContext;
use super::directory::run_directory_command;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::INTEGRATION;
use crate::domain::directory::{DirectoryCommand, ItemFields};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register_item, remove_item))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    #[schema(pattern = "\\S")]
    title: String,
    summary: Option<String>,
    /// Where the item opens in its module (http or https).
    url: String,
    /// Who may open it: users, members of groups, users of roles; all empty: every
    /// staff member.
    #[serde(default)]
    access: ItemAccess,
}

/// Registers (or updates) an integration's item, with who may open it; its cards
/// show it as it now stands.
#[utoipa::path(put, path = "/v1/items/{entity_type}/{entity_id}", request_body = ItemBody,
    tag = "chat",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn register_item(
    State(state): State<AppState>,
    context: CommandContext,
    Path((entity_type, entity_id)): Path<(CardEntityType, String)>,
    JsonBody(body): JsonBody<ItemBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INTEGRATION)?;
    let id = item_id(context.tenant().0, entity_type, &entity_id);
    let command = DirectoryCommand::RegisterItem(ItemFields {
        entity_type,
        entity_id,
        title: body.title,
        summary: body.summary,
        url: body.url,
        access: body.access,
    });
    run_directory_command(&state, &context, id, command).await
}

/// Removes an item from the registry: its cards show it unavailable.
#[utoipa::path(delete, path = "/v1/items/{entity_type}/{entity_id}", tag = "chat",
    responses((status = 200, body = CommandResponse)))]
async fn remove_item(
    State(state): State<AppState>,
    context: CommandContext,
    Path((entity_type, entity_id)): Path<(CardEntityType, String)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INTEGRATION)?;
    let id = item_id(context.tenant().0, entity_type, &entity_id);
    run_directory_command(&state, &context, id, DirectoryCommand::RemoveItem).await
}
