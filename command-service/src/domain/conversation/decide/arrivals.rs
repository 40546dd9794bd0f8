//! A customer's message arriving, and an agent starting a conversation.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::ReceiveInboundMessage {
            contact_id,
            group_id,
            presets,
            predecessor,
            channel,
            external_id,
            content,
            message_id,
            now,
        } => {
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let received = E::MessageReceived {
                message_id,
                channel,
                external_id,
                content,
                received_at: now,
            };
            match state.status {
                Status::New => Ok(opening(
                    E::ConversationStarted {
                        contact_id,
                        group_id,
                        channel,
                        started_by: StartedBy::InboundMessage,
                        assignees: presets.auto_assign,
                        visible_to: presets.visible_to,
                    },
                    predecessor,
                    received,
                )),
                // A new message brings a resolved conversation back to the team.
                Status::Resolved => Ok(vec![E::ConversationReopened {}, received]),
                Status::Open => Ok(vec![received]),
                Status::Closed => Err(R::Closed),
                Status::Deleted => Err(R::NotFound),
            }
        }
        C::StartConversation {
            actor,
            contact_id,
            group_id,
            presets,
            channel,
            content,
            snippet_id,
            message_id,
            now,
        } => {
            if state.status != Status::New {
                return Err(R::AlreadyExists);
            }
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let mut assignees = presets.auto_assign;
            // Whoever starts the chat is responsible for it unless presets say otherwise.
            if assignees.is_empty() {
                assignees.push(actor.user_id);
            }
            require_within_visibility(&presets.visible_to, &assignees)?;
            let starter_takes_it = assignees.contains(&actor.user_id);
            let mut events = vec![
                E::ConversationStarted {
                    contact_id,
                    group_id,
                    channel,
                    started_by: StartedBy::Agent,
                    assignees,
                    visible_to: presets.visible_to,
                },
                E::MessageSent {
                    message_id,
                    channel,
                    sender_kind: SenderKind::Agent,
                    author: Some(actor.user_id),
                    content,
                    snippet_id,
                    sent_at: now,
                },
            ];
            // Whoever starts a chat they are responsible for has taken it.
            if starter_takes_it {
                events.push(E::ConversationAccepted {
                    user: actor.user_id,
                });
            }
            Ok(events)
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}

/// A conversation a customer's message starts: its start, that the contact came back
/// (when a previous conversation closed before it), and the message. The agent who
/// last handled the contact is named only if they may see the new conversation.
fn opening(started: E, predecessor: Option<Predecessor>, received: E) -> Vec<E> {
    let E::ConversationStarted { visible_to, .. } = &started else {
        unreachable!("a start opens a conversation");
    };
    let returned = predecessor.map(|before| E::ContactReturned {
        previous_conversation_id: before.conversation_id,
        previous_agent: before
            .last_agent
            .filter(|agent| visible_to.as_ref().is_none_or(|list| list.contains(agent))),
    });
    [Some(started), returned, Some(received)]
        .into_iter()
        .flatten()
        .collect()
}
