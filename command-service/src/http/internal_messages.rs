//! Internal messages about a case (admin/supervisor <-> agent), and the case's facts:
//! invoices, rating, topic.

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
use super::roles::{ACCOUNT_ADMINS, INTEGRATION, INVOICE_PAYERS, STAFF, STAFF_AND_INTEGRATION};
use super::{AppState, run_conversation_command};
use crate::domain::conversation::ConversationCommand;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_internal_message))
        .routes(routes!(mark_internal_message_read))
        .routes(routes!(delete_internal_thread))
        .routes(routes!(attach_invoice))
        .routes(routes!(mark_invoice_paid))
        .routes(routes!(rate))
        .routes(routes!(set_topic))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InternalMessageBody {
    to: UserId,
    #[schema(pattern = "\\S")]
    text: String,
    in_reply_to: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceBody {
    invoice_id: String,
    /// In the currency's minor unit (cents).
    amount_minor: i64,
    /// ISO 4217, such as EUR.
    currency: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// CSAT, 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    score: u8,
    comment: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicBody {
    #[schema(pattern = "\\S")]
    topic: String,
}

/// Sends an internal message about the case to a teammate (never to the contact).
#[utoipa::path(post, path = "/v1/conversations/{id}/internal-messages",
    request_body = InternalMessageBody, tag = "internal messages",
    responses((status = 200, body = CommandResponse)))]
async fn send_internal_message(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<InternalMessageBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    state
        .lookup
        .require_users(context.tenant(), "to", &[body.to])
        .await?;
    let internal_message_id = context.new_id();
    let command = ConversationCommand::SendInternalMessage {
        actor: context.actor(),
        to: body.to,
        text: body.text,
        in_reply_to: body.in_reply_to,
        internal_message_id,
    };
    Ok(run_conversation_command(&state, &context, id, command)
        .await?
        .with_id(internal_message_id))
}

/// The recipient marks an internal message read.
#[utoipa::path(post, path = "/v1/conversations/{id}/internal-messages/{message_id}/read",
    tag = "internal messages", responses((status = 200, body = CommandResponse)))]
async fn mark_internal_message_read(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ConversationCommand::MarkInternalMessageRead {
        actor: context.actor(),
        internal_message_id: message_id,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// Deletes an internal message and every reply to it (account owners and admins); the
/// case history records who deleted it, and the log keeps it for auditors.
#[utoipa::path(delete, path = "/v1/conversations/{id}/internal-messages/{message_id}",
    tag = "internal messages", responses((status = 200, body = CommandResponse)))]
async fn delete_internal_thread(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let command = ConversationCommand::DeleteInternalThread {
        actor: context.actor(),
        internal_message_id: message_id,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// Attaches an invoice; the conversation cannot close or be deleted until it is paid.
#[utoipa::path(post, path = "/v1/conversations/{id}/invoices", request_body = InvoiceBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn attach_invoice(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<InvoiceBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF_AND_INTEGRATION)?;
    let command = ConversationCommand::AttachInvoice {
        invoice_id: body.invoice_id,
        amount_minor: body.amount_minor,
        currency: body.currency,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// Records an invoice as paid.
#[utoipa::path(post, path = "/v1/conversations/{id}/invoices/{invoice_id}/paid",
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn mark_invoice_paid(
    State(state): State<AppState>,
    context: CommandContext,
    Path((id, invoice_id)): Path<(Uuid, String)>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INVOICE_PAYERS)?;
    let command = ConversationCommand::MarkInvoicePaid { invoice_id };
    run_conversation_command(&state, &context, id, command).await
}

/// The contact's satisfaction rating.
#[utoipa::path(post, path = "/v1/conversations/{id}/rating", request_body = RatingBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn rate(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<RatingBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(INTEGRATION)?;
    let command = ConversationCommand::RateConversation {
        score: body.score,
        comment: body.comment,
    };
    run_conversation_command(&state, &context, id, command).await
}

/// Sets the conversation's topic.
#[utoipa::path(post, path = "/v1/conversations/{id}/topic", request_body = TopicBody,
    tag = "conversations", responses((status = 200, body = CommandResponse)))]
async fn set_topic(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<TopicBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let command = ConversationCommand::SetTopic { topic: body.topic };
    run_conversation_command(&state, &context, id, command).await
}
