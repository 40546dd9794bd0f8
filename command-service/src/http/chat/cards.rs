//! Sharing an item into a channel as a card. Conversation and contact cards are checked
//! against caselog's own data when shared (the sharer must see the item); what they
//! show is built again, for each viewer, whenever the card is read.

use axum::extract::{Path, State};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::UserId;
use caselog_schemas::events::{CardDescription, CardEntityType};

use super::super::AppState;
use super::super::command_context::CommandContext;
use super::super::error::ApiError;
use super::super::response::CommandResponse;
use super::super::roles::STAFF_AND_INTEGRATION;
use super::{chat_context, run_channel_command};
use crate::application::require_shareable;
use crate::domain::chat::{ChatCommand, NewCard, rules};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(share_card))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardBody {
    entity_type: CardEntityType,
    /// A conversation's or contact's id; the source module's id for the other types.
    #[schema(pattern = "\\S")]
    entity_id: String,
    /// Why you share it (optional); `@<user id>` mentions.
    message: Option<String>,
    #[serde(default)]
    mentions: Vec<UserId>,
    /// Integration types only: what the item is, and where it opens.
    title: Option<String>,
    summary: Option<String>,
    url: Option<String>,
}

/// Shares a conversation or contact (staff), or a deal, task, product, charge, calendar
/// event, broadcast or campaign (integration), into a channel.
#[utoipa::path(post, path = "/v1/chat/channels/{id}/cards", request_body = CardBody,
    tag = "chat", responses((status = 200, body = CommandResponse)))]
async fn share_card(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<CardBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF_AND_INTEGRATION)?;
    // Switched off, nothing about the item is looked up either.
    rules::chat_switched_on(chat_context(&state, &context).await?.chat_enabled)?;
    state
        .lookup
        .require_mentioned_users(context.tenant(), body.message.as_deref(), &body.mentions)
        .await?;
    require_shareable(
        &state.executor,
        &state.lookup,
        context.tenant(),
        context.actor(),
        body.entity_type,
        &body.entity_id,
    )
    .await?;
    let description = match (body.title, body.summary, body.url) {
        (None, None, None) => None,
        (title, summary, url) => Some(CardDescription {
            title: title.unwrap_or_default(),
            summary,
            url: url.unwrap_or_default(),
        }),
    };
    let card_id = context.new_id();
    let command = ChatCommand::ShareCard {
        card: NewCard {
            card_id,
            entity_type: body.entity_type,
            entity_id: body.entity_id,
            description,
            text: body.message,
            mentions: body.mentions,
        },
        now: Utc::now(),
    };
    Ok(run_channel_command(&state, &context, id, command)
        .await?
        .with_id(card_id))
}
