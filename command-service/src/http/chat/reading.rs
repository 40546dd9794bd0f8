//! Read marks: a channel read up to now, and the notification bell's mark-as-read.
//! They go to the reader's own `chat_reader` stream.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::JsonBody;

use super::super::AppState;
use super::super::command_context::CommandContext;
use super::super::error::ApiError;
use super::super::response::CommandResponse;
use super::super::roles::STAFF;
use super::chat_context;
use crate::application::{chat_channel_stream, chat_reader_stream};
use crate::domain::chat::{Channel, ChatReader, ChatRejection, ReadingCommand, decide_reading};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(mark_channel_read))
        .routes(routes!(mark_notifications_read))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsReadBody {
    /// The notifications to mark read (a notification's id is its message's id);
    /// left out: every notification so far.
    #[schema(min_items = 1, max_items = 200)]
    ids: Option<Vec<Uuid>>,
}

/// Marks everything in the channel read so far, its notifications included. The
/// reader's first read mark starts their reading stream (201).
#[utoipa::path(post, path = "/v1/chat/channels/{id}/read", tag = "chat",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn mark_channel_read(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let channel = state
        .executor
        .load::<Channel, ChatRejection>(&chat_channel_stream(context.tenant(), id))
        .await?
        .state;
    run_reading(
        &state,
        &context,
        Some(&channel),
        ReadingCommand::MarkChannelRead { channel_id: id },
    )
    .await
}

/// Marks notifications of the bell read: the ones named, or all of them. The reader's
/// first read mark starts their reading stream (201).
#[utoipa::path(post, path = "/v1/chat/notifications/read", request_body = Option<NotificationsReadBody>,
    tag = "chat", responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn mark_notifications_read(
    State(state): State<AppState>,
    context: CommandContext,
    body: Option<JsonBody<NotificationsReadBody>>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(STAFF)?;
    let body = body.map(|JsonBody(body)| body).unwrap_or_default();
    let command = match body.ids {
        Some(message_ids) => ReadingCommand::MarkNotificationsRead { message_ids },
        None => ReadingCommand::MarkAllNotificationsRead,
    };
    run_reading(&state, &context, None, command).await
}

async fn run_reading(
    state: &AppState,
    context: &CommandContext,
    channel: Option<&Channel>,
    command: ReadingCommand,
) -> Result<CommandResponse, ApiError> {
    let chat = chat_context(state, context).await?;
    let caller = &context.caller;
    let executed = state
        .executor
        .execute::<ChatReader, ChatRejection>(
            chat_reader_stream(caller.tenant_id, caller.user_id.0),
            &context.options(),
            |_| decide_reading(chat, channel, command.clone()),
        )
        .await?;
    Ok(CommandResponse::from_executed(executed))
}
