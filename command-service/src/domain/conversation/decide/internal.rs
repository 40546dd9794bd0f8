//! Internal messages between the team about a conversation.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::SendInternalMessage {
            actor,
            to,
            text,
            in_reply_to,
            internal_message_id,
        } => {
            require_exists(state)?;
            require_text("text", &text)?;
            if let Some(original) = in_reply_to {
                let message =
                    state
                        .internal_messages
                        .get(&original)
                        .ok_or(R::UnknownInternalMessage {
                            internal_message_id: original,
                        })?;
                if message.to != actor.user_id && message.from != actor.user_id {
                    return Err(R::UnknownInternalMessage {
                        internal_message_id: original,
                    });
                }
            }
            Ok(vec![E::InternalMessageSent {
                internal_message_id,
                from: actor.user_id,
                to,
                text,
                in_reply_to,
            }])
        }
        C::MarkInternalMessageRead {
            actor,
            internal_message_id,
        } => {
            require_exists(state)?;
            let message = state.internal_messages.get(&internal_message_id).ok_or(
                R::UnknownInternalMessage {
                    internal_message_id,
                },
            )?;
            if message.to != actor.user_id {
                return Err(R::NotTheRecipient);
            }
            if message.read {
                return Ok(Vec::new());
            }
            Ok(vec![E::InternalMessageRead {
                internal_message_id,
                reader: actor.user_id,
            }])
        }
        C::DeleteInternalThread {
            actor,
            internal_message_id,
        } => {
            require_exists(state)?;
            if !actor.is_account_admin() {
                return Err(R::MayNotDeleteInternalMessages);
            }
            if !state.internal_messages.contains_key(&internal_message_id) {
                return Err(R::UnknownInternalMessage {
                    internal_message_id,
                });
            }
            Ok(vec![E::InternalThreadDeleted {
                internal_message_id,
                message_ids: state.internal_thread(internal_message_id),
                deleted_by: actor.user_id,
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
