//! Conversation commands that carry messages: inbound customer messages, new chats,
//! replies (agent, bot, auto-reply), the bot's hand-off, and private notes.

use axum::extract::{Path, State};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;
use caselog_schemas::Role;
use caselog_schemas::events::{Attachment, Channel, MessageContent, SenderKind, Voice};

use super::command_context::CommandContext;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::{INTEGRATION, STAFF, STAFF_AND_INTEGRATION};
use super::{AppState, run_conversation_command};
use crate::application::{conversation_for_inbound, presets_of};
use crate::domain::conversation::ConversationCommand;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(receive_inbound_message))
        .routes(routes!(start_conversation))
        .routes(routes!(send_message))
        .routes(routes!(hand_off_to_human))
        .routes(routes!(enable_bot))
        .routes(routes!(disable_bot))
        .routes(routes!(add_private_note))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InboundMessageBody {
    contact_id: Uuid,
    channel: Channel,
    /// The gateway's own message id.
    external_id: Option<String>,
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    voice: Option<Voice>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartConversationBody {
    id: Option<Uuid>,
    contact_id: Uuid,
    channel: Channel,
    text: Option<String>,
    snippet_id: Option<Uuid>,
    group_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// Default: the channel the conversation last used.
    channel: Option<Channel>,
    text: Option<String>,
    snippet_id: Option<Uuid>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    /// Files of the library to attach, by id (after `attachments`).
    #[serde(default)]
    file_ids: Vec<Uuid>,
    voice: Option<Voice>,
    /// `agent` (default for staff); `bot` or `auto_reply` for the integration role.
    sender_kind: Option<SenderKind>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOffBody {
    reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[schema(pattern = "\\S")]
    text: String,
}

/// A customer's message from a channel gateway: joins the contact's current
/// conversation (the one most recently started or reopened), or starts a new one when
/// that one is closed.
#[utoipa::path(post, path = "/v1/inbound-messages", request_body = InboundMessageBody,
    tag = "conversations",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn receive_inbound_message(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<InboundMessageBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INTEGRATION)?;
    let contact = state
        .lookup
        .require_contact(context.tenant(), body.contact_id)
        .await?;
    let route =
        conversation_for_inbound(&state.executor, context.tenant(), body.contact_id).await?;
    let message_id = context.new_id();
    let command = ConversationCommand::ReceiveInboundMessage {
        contact_id: body.contact_id,
        group_id: contact.details.group_id,
        presets: presets_of(&contact),
        predecessor: route.predecessor,
        channel: body.channel,
        external_id: body.external_id,
        content: MessageContent {
            text: body.text,
            attachments: body.attachments,
            voice: body.voice,
        },
        message_id,
        now: Utc::now(),
    };
    Ok(
        run_conversation_command(&state, &context, route.conversation_id, command)
            .await?
            .with_id(message_id),
    )
}

/// An agent starts a new chat to a contact on a chosen channel.
#[utoipa::path(post, path = "/v1/conversations", request_body = StartConversationBody,
    tag = "conversations",
    responses((status = 201, body = CommandResponse)))]
async fn start_conversation(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<StartConversationBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let contact = state
        .lookup
        .require_contact(context.tenant(), body.contact_id)
        .await?;
    let group_id = body.group_id.or(contact.details.group_id);
    if let Some(group) = body.group_id {
        state
            .lookup
            .require_groups(context.tenant(), "group_id", &[group])
            .await?;
    }
    let text = state
        .lookup
        .message_text(
            context.tenant(),
            body.text,
            body.snippet_id,
            Some(body.contact_id),
        )
        .await?;
    let conversation_id = body.id.unwrap_or_else(|| context.new_id());
    let command = ConversationCommand::StartConversation {
        actor: context.actor(),
        contact_id: body.contact_id,
        group_id,
        presets: presets_of(&contact),
        channel: body.channel,
        content: MessageContent {
            text,
            ..MessageContent::default()
        },
        snippet_id: body.snippet_id,
        message_id: Uuid::now_v7(),
        now: Utc::now(),
    };
    run_conversation_command(&state, &context, conversation_id, command).await
}

/// A reply to the contact: by an agent, or by the bot or auto-responder (integration).
#[utoipa::path(post, path = "/v1/conversations/{id}/messages", request_body = MessageBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn send_message(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<MessageBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF_AND_INTEGRATION)?;
    let is_integration = context.caller.role == Role::Integration;
    let contact_id = match body.snippet_id {
        Some(_) => {
            state
                .lookup
                .contact_of_conversation(context.tenant(), id)
                .await?
        }
        None => None,
    };
    let text = state
        .lookup
        .message_text(context.tenant(), body.text, body.snippet_id, contact_id)
        .await?;
    let mut attachments = body.attachments;
    attachments.extend(
        state
            .lookup
            .attachments_of(context.tenant(), &body.file_ids)
            .await?,
    );
    let message_id = context.new_id();
    let command = ConversationCommand::SendMessage {
        actor: (!is_integration).then(|| context.actor()),
        sender_kind: body.sender_kind,
        channel: body.channel,
        content: MessageContent {
            text,
            attachments,
            voice: body.voice,
        },
        snippet_id: body.snippet_id,
        message_id,
        now: Utc::now(),
    };
    Ok(run_conversation_command(&state, &context, id, command)
        .await?
        .with_id(message_id))
}

/// The bot hands the conversation to a human.
#[utoipa::path(post, path = "/v1/conversations/{id}/handoff", request_body = HandOffBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn hand_off_to_human(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<HandOffBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INTEGRATION)?;
    let command = ConversationCommand::HandOffToHuman {
        reason: body.reason,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// A private note: visible to the team, never sent to the contact.
#[utoipa::path(post, path = "/v1/conversations/{id}/notes", request_body = NoteBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn add_private_note(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let note_id = context.new_id();
    let command = ConversationCommand::AddPrivateNote {
        actor: context.actor(),
        text: body.text,
        note_id,
    };
    Ok(run_conversation_command(&state, &context, id, command)
        .await?
        .with_id(note_id))
}

/// Lets the channel's chatbot answer the conversation (staff, or the integration).
#[utoipa::path(post, path = "/v1/conversations/{id}/bot/enable", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn enable_bot(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    switch_bot(&state, &context, id, true).await
}

/// Stops the chatbot so a person can answer; a reply is refused while it answers.
#[utoipa::path(post, path = "/v1/conversations/{id}/bot/disable", tag = "conversations",
    responses((status = 200, body = CommandResponse)))]
async fn disable_bot(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    switch_bot(&state, &context, id, false).await
}

/// The chatbot on or off, by staff (named) or the integration itself (`None`).
async fn switch_bot(
    state: &AppState,
    context: &CommandContext,
    id: Uuid,
    on: bool,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF_AND_INTEGRATION)?;
    let actor = (context.caller.role != Role::Integration).then(|| context.actor());
    let command = if on {
        ConversationCommand::EnableBot { actor }
    } else {
        ConversationCommand::DisableBot { actor }
    };
    run_conversation_command(state, context, id, command).await
}
