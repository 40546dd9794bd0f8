//! Erasing a data subject (README "Erasure"): every conversation the contact ever had is
//! erased first (a `ConversationDeleted` destroys each one's data key), then the contact
//! (`ContactErased` destroys theirs). Each step is an ordinary, idempotent append, so a
//! retry after a failure finishes the job; the contact goes last so that it is still
//! found, with its conversations, until nothing of theirs is left.

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::TenantId;

use super::{
    CommandExecutor, CommandOptions, ExecuteError, Executed, conversation_stream, directory_stream,
};
use crate::domain::conversation::{
    self, Actor, Conversation, ConversationCommand, ConversationRejection, Policy,
};
use crate::domain::directory::{self, DirectoryCommand, DirectoryEntry, DirectoryRejection};

/// Why an erasure stopped (what it erased so far stays erased; a retry goes on).
#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error(transparent)]
    Lookup(#[from] ReadError),
    #[error("erasing conversation {conversation_id} failed: {error}")]
    Conversation {
        conversation_id: Uuid,
        error: ExecuteError<ConversationRejection>,
    },
    #[error(transparent)]
    Contact(ExecuteError<DirectoryRejection>),
}

/// Erases `contact_id` and everything of theirs, as `actor`. The contact's own step
/// carries `options` (the caller's idempotency key); the conversations' carry none.
pub async fn erase_contact(
    executor: &CommandExecutor,
    tenant_id: TenantId,
    contact_id: Uuid,
    actor: Actor,
    options: &CommandOptions,
) -> Result<(Executed, usize), ErasureError> {
    let conversations = executor
        .reader()
        .conversations_of_contact(tenant_id, contact_id)
        .await?;
    let step = CommandOptions {
        idempotency_key: None,
        request_fingerprint: None,
        if_match: None,
        ..options.clone()
    };
    for &conversation_id in &conversations {
        let command = ConversationCommand::EraseConversation { actor };
        executor
            .execute::<Conversation, ConversationRejection>(
                conversation_stream(tenant_id, conversation_id),
                &step,
                |state| conversation::decide_as(state, actor, Policy::default(), command.clone()),
            )
            .await
            .map_err(|error| ErasureError::Conversation {
                conversation_id,
                error,
            })?;
    }
    let contact = executor
        .execute::<DirectoryEntry, DirectoryRejection>(
            directory_stream(tenant_id, contact_id),
            options,
            |entry| directory::decide(contact_id, entry, DirectoryCommand::EraseContact),
        )
        .await
        .map_err(ErasureError::Contact)?;
    Ok((contact, conversations.len()))
}
