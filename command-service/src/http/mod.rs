//! The command API's routes. Each module exposes `router()`; this one merges them,
//! collects their OpenAPI descriptions, and holds what every handler shares.

mod chat;
mod command_headers;
mod conversation_workflow;
mod conversations;
mod directory;
mod error;
mod internal_messages;
mod openapi;
mod relay;
mod response;
mod roles;

use axum::Router;
use axum::extract::FromRef;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use caselog_eventlog::relay::RelayStatus;
use caselog_platform::http::{ApiLimits, Caller};
use caselog_platform::token::TokenVerifier;
use caselog_schemas::Actor;

use crate::application::{CommandExecutor, CommandOptions, DirectoryLookup, conversation_stream};
use crate::domain::conversation::{self, Conversation, ConversationCommand, ConversationRejection};
use command_headers::CommandHeaders;
use error::ApiError;
use response::CommandResponse;

#[derive(Clone)]
pub struct AppState {
    pub executor: CommandExecutor,
    pub lookup: DirectoryLookup,
    pub relay_status: RelayStatus,
    pub tokens: TokenVerifier,
    pub limits: ApiLimits,
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
        .merge(conversations::router())
        .merge(conversation_workflow::router())
        .merge(internal_messages::router())
        .merge(chat::router())
        .split_for_parts();
    let api = api.layer(axum::middleware::from_fn(
        command_headers::fingerprint_keyed_requests,
    ));
    let api = caselog_platform::http::with_api_layers(api, &state.limits);
    api.merge(relay::router())
        .merge(caselog_platform::http::openapi_router(document))
        .with_state(state)
}

/// The metadata actor for a signed-in caller.
fn actor_of(caller: &Caller) -> Actor {
    Actor {
        user_id: Some(caller.user_id),
        role: caller.role.as_str().to_owned(),
    }
}

fn options(caller: &Caller, headers: CommandHeaders) -> CommandOptions {
    // Who sent which request: a key replays only for the same caller and request.
    let request_fingerprint = headers
        .request_hash
        .filter(|_| headers.idempotency_key.is_some())
        .map(|hash| format!("{}:{}:{hash}", caller.user_id, caller.role.as_str()));
    CommandOptions {
        actor: actor_of(caller),
        idempotency_key: headers.idempotency_key,
        request_fingerprint,
        if_match: headers.if_match,
    }
}

/// The id of what a command creates inside its stream (a message, a note): derived
/// from the idempotency key when there is one, so a replay answers the same `id`.
fn new_id(caller: &Caller, headers: &CommandHeaders) -> Uuid {
    match &headers.idempotency_key {
        Some(key) => Uuid::new_v5(
            &caller.tenant_id.0,
            format!("caselog:idempotent-id:{key}").as_bytes(),
        ),
        None => Uuid::now_v7(),
    }
}

fn domain_actor(caller: &Caller) -> conversation::Actor {
    conversation::Actor {
        user_id: caller.user_id,
        role: caller.role,
    }
}

/// Runs a conversation command; a conversation the caller may not see is not found.
async fn run_conversation_command(
    state: &AppState,
    caller: &Caller,
    conversation_id: Uuid,
    headers: CommandHeaders,
    command: ConversationCommand,
) -> Result<CommandResponse, ApiError> {
    let executed = state
        .executor
        .execute::<Conversation, ConversationRejection>(
            conversation_stream(caller.tenant_id, conversation_id),
            &options(caller, headers),
            |current| conversation::decide_as(current, domain_actor(caller), command.clone()),
        )
        .await?;
    Ok(CommandResponse::from_executed(executed))
}
