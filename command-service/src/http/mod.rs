//! The command API's routes. Each module exposes `router()`; this one merges them,
//! collects their OpenAPI descriptions, and holds what every handler shares.

mod chat;
mod command_context;
mod conversation_workflow;
mod conversations;
mod directory;
mod error;
mod files;
mod internal_messages;
mod items;
mod openapi;
mod relay;
mod response;
mod roles;
mod settings;
mod webhooks;

use axum::Router;
use axum::extract::FromRef;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use caselog_eventlog::relay::RelayStatus;
use caselog_platform::http::{ApiLimits, ApiService, finish_openapi};
use caselog_platform::token::TokenVerifier;

use crate::application::{CommandExecutor, DirectoryLookup, conversation_stream};
use crate::domain::conversation::{
    self, Conversation, ConversationCommand, ConversationRejection, Policy,
};
use command_context::CommandContext;
use error::ApiError;
use response::CommandResponse;

#[derive(Clone)]
pub struct AppState {
    pub executor: CommandExecutor,
    pub lookup: DirectoryLookup,
    pub relay_status: RelayStatus,
    /// The files library's uploaded objects.
    pub files: caselog_eventlog::FileObjects,
    pub tokens: TokenVerifier,
    pub limits: ApiLimits,
    pub webhooks: WebhookState,
}

/// What the webhook routes work with.
#[derive(Clone)]
pub struct WebhookState {
    pub endpoints: caselog_webhooks::Endpoints,
    pub deliveries: caselog_webhooks::Deliveries,
    pub rules: caselog_webhooks::ReceiverRules,
}

impl FromRef<AppState> for TokenVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}

/// The API routes with their layers, and `/openapi.json` describing them.
pub fn router(state: AppState) -> Router {
    let (api, document) = OpenApiRouter::with_openapi(openapi::document())
        .merge(directory::router())
        .merge(settings::router())
        .merge(items::router())
        .merge(files::router())
        .merge(conversations::router())
        .merge(conversation_workflow::router())
        .merge(internal_messages::router())
        .merge(chat::router())
        .merge(webhooks::router())
        .split_for_parts();
    let api = api.layer(axum::middleware::from_fn(
        command_context::fingerprint_keyed_requests,
    ));
    let api = caselog_platform::http::with_api_layers(api, &state.limits);
    let (relay, relay_document) = relay::router().split_for_parts();
    let mut document = document;
    document.merge(relay_document);
    let document = finish_openapi(document, ApiService::Command);
    api.merge(relay)
        .merge(caselog_platform::http::openapi_router(document))
        .with_state(state)
}

/// Runs a conversation command; a conversation the caller may not see is not found.
async fn run_conversation_command(
    state: &AppState,
    context: &CommandContext,
    conversation_id: Uuid,
    command: ConversationCommand,
) -> Result<CommandResponse, ApiError> {
    // Only the commands acceptance can hold back need the tenant's settings.
    let policy = if command.needs_acceptance() {
        let settings = state.lookup.settings(context.tenant()).await?;
        Policy {
            require_accept: settings.require_accept,
        }
    } else {
        Policy::default()
    };
    let executed = state
        .executor
        .execute::<Conversation, ConversationRejection>(
            conversation_stream(context.tenant(), conversation_id),
            &context.options(),
            |current| conversation::decide_as(current, context.actor(), policy, command.clone()),
        )
        .await?;
    Ok(CommandResponse::from_executed(executed))
}

/// `Option<Option<T>>` for PATCH bodies: absent -> `None`, `null` -> `Some(None)`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
