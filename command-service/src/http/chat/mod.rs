//! The internal chat's command routes: channels and members ([`channels`]), messages,
//! reactions and preferences ([`messages`]), cards ([`cards`]) and read marks
//! ([`reading`]). Every one first asks the tenant's switch: with the chat module off,
//! the domain refuses the command.

mod cards;
mod channels;
mod messages;
mod reading;

use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::AppState;
use super::command_context::CommandContext;
use super::error::ApiError;
use super::response::CommandResponse;
use crate::application::chat_channel_stream;
use crate::domain::chat::{self, Channel, ChatCommand, ChatContext, ChatRejection};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(channels::router())
        .merge(messages::router())
        .merge(cards::router())
        .merge(reading::router())
}

/// The acting user and the tenant's chat switch, read from the log.
async fn chat_context(state: &AppState, context: &CommandContext) -> Result<ChatContext, ApiError> {
    let settings = state.lookup.settings(context.tenant()).await?;
    Ok(ChatContext {
        actor: context.actor(),
        chat_enabled: settings.internal_chat_enabled,
    })
}

/// Runs a command against a channel's stream.
async fn run_channel_command(
    state: &AppState,
    context: &CommandContext,
    channel_id: Uuid,
    command: ChatCommand,
) -> Result<CommandResponse, ApiError> {
    let chat = chat_context(state, context).await?;
    let executed = state
        .executor
        .execute::<Channel, ChatRejection>(
            chat_channel_stream(context.tenant(), channel_id),
            &context.options(),
            |channel| chat::decide(channel, chat, command.clone()),
        )
        .await?;
    Ok(CommandResponse::from_executed(executed))
}
