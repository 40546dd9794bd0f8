//! Where a customer's inbound message goes: the contact's current conversation (the
//! one most recently started or reopened) unless it is closed (or deleted), in which
//! case the message starts a new one.
//!
//! The new conversation's id is derived from its predecessor as it stood when closed
//! (or, for the contact's first, from the contact), so two messages racing to start it
//! name the same stream: one creates it, the other loses the version race, decides
//! again and lands in it. A conversation closed, reopened and closed again has a new
//! successor each time.

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::TenantId;

use super::conversation_stream;
use super::executor::{CommandExecutor, ExecuteError};
use crate::domain::conversation::{Conversation, Predecessor, Status};

/// Where an inbound message goes, and the conversation before it when it starts a new
/// one after a close.
#[derive(Debug, Clone, Copy)]
pub struct InboundRoute {
    pub conversation_id: Uuid,
    pub predecessor: Option<Predecessor>,
}

pub async fn conversation_for_inbound(
    executor: &CommandExecutor,
    tenant_id: TenantId,
    contact_id: Uuid,
) -> Result<InboundRoute, ReadError> {
    let current = executor
        .reader()
        .current_conversation_of_contact(tenant_id, contact_id)
        .await?;
    let Some(current) = current else {
        return Ok(InboundRoute {
            conversation_id: Uuid::new_v5(&contact_id, b"caselog:first-conversation"),
            predecessor: None,
        });
    };
    let loaded = match executor
        .load::<Conversation, ()>(&conversation_stream(tenant_id, current))
        .await
    {
        Ok(loaded) => loaded,
        Err(ExecuteError::Read(error)) => return Err(error),
        Err(other) => {
            return Err(ReadError::Undecodable {
                position: 0,
                reason: other.to_string(),
            });
        }
    };
    let state = loaded.state;
    Ok(match state.status {
        Status::Closed | Status::Deleted => InboundRoute {
            conversation_id: Uuid::new_v5(
                &current,
                format!("caselog:next-conversation:{}", loaded.version).as_bytes(),
            ),
            predecessor: (state.status == Status::Closed).then(|| Predecessor {
                conversation_id: current,
                last_agent: state.last_agent.or(state.assignees.first().copied()),
            }),
        },
        Status::New | Status::Open | Status::Resolved => InboundRoute {
            conversation_id: current,
            predecessor: None,
        },
    })
}
