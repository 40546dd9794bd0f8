//! A card is shared only by someone who may see its item: a conversation or contact
//! by staff who may see it, an integration's item (registered with who may open it)
//! by staff who may open it, or by the integration itself. One they may not see is
//! "not found", exactly as everywhere else.

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::events::CardEntityType;
use caselog_schemas::{Role, TenantId};

use super::executor::{CommandExecutor, ExecuteError};
use super::{DirectoryLookup, InputError, conversation_stream};
use crate::domain::conversation::{self, Conversation};

/// Refuses a card unless `sharer` may see its item.
pub async fn require_shareable(
    executor: &CommandExecutor,
    lookup: &DirectoryLookup,
    tenant: TenantId,
    sharer: conversation::Actor,
    entity_type: CardEntityType,
    entity_id: &str,
) -> Result<(), InputError> {
    if !entity_type.is_caselog_own() {
        return require_openable(lookup, tenant, sharer, entity_type, entity_id).await;
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

/// An integration's item must be registered, and a staff sharer one who may open it.
async fn require_openable(
    lookup: &DirectoryLookup,
    tenant: TenantId,
    sharer: conversation::Actor,
    entity_type: CardEntityType,
    entity_id: &str,
) -> Result<(), InputError> {
    let entity_id = entity_id.trim();
    let item = lookup.item(tenant, entity_type, entity_id).await?;
    let opens = match &item {
        None => false,
        Some(_) if sharer.role == Role::Integration => true,
        Some(item) => {
            let mut groups = lookup.groups_of(tenant, &[sharer.user_id]).await?;
            let groups = groups.remove(&sharer.user_id).unwrap_or_default();
            item.access.allows(sharer.user_id, sharer.role, &groups)
        }
    };
    if opens {
        Ok(())
    } else {
        Err(InputError::NotFound(format!(
            "no {} {entity_id} registered that you may open",
            entity_type.as_str()
        )))
    }
}
