//! A conversation or contact is shared into a channel as a card only by someone who
//! may see it; one they may not see is "not found", exactly as everywhere else.

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::TenantId;
use caselog_schemas::events::CardEntityType;

use super::executor::{CommandExecutor, ExecuteError};
use super::{DirectoryLookup, InputError, conversation_stream};
use crate::domain::conversation::{self, Conversation};

/// Refuses a card for caselog's own items (conversations, contacts) unless `sharer`
/// may see the item; an integration's items are not checked here.
pub async fn require_shareable(
    executor: &CommandExecutor,
    lookup: &DirectoryLookup,
    tenant: TenantId,
    sharer: conversation::Actor,
    entity_type: CardEntityType,
    entity_id: &str,
) -> Result<(), InputError> {
    if !entity_type.is_caselog_own() {
        return Ok(());
    }
    let id: Uuid = entity_id.trim().parse().map_err(|_| {
        InputError::Invalid(format!(
            "entity_id: a {entity_type:?} card names the item by its id (a UUID)"
        ))
    })?;
    let found = match entity_type {
        CardEntityType::Conversation => {
            match executor
                .load::<Conversation, ()>(&conversation_stream(tenant, id))
                .await
            {
                Ok(loaded) => loaded.state.exists() && loaded.state.may_be_seen_by(sharer),
                Err(ExecuteError::Erased) => false,
                Err(ExecuteError::Read(error)) => return Err(error.into()),
                Err(other) => {
                    return Err(InputError::Read(ReadError::Undecodable {
                        position: 0,
                        reason: other.to_string(),
                    }));
                }
            }
        }
        _ => lookup.contact(tenant, id).await?.is_some(),
    };
    if found {
        Ok(())
    } else {
        Err(InputError::NotFound(format!(
            "no {entity_type:?} {id} that you may see"
        )))
    }
}
