//! The team's replies to the contact, the chatbot (on, off, its hand-off), and
//! private notes.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::SendMessage {
            actor,
            sender_kind,
            channel,
            content,
            snippet_id,
            message_id,
            now,
        } => {
            let sender_kind = sender_kind_of(actor, sender_kind)?;
            require_open_or_resolved(state)?;
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let channel = channel.or(state.last_channel).ok_or(R::Invalid {
                field: "channel",
                reason: "no channel to reply on",
            })?;
            let mut events = bot_for_reply(state, sender_kind)?;
            events.push(E::MessageSent {
                message_id,
                channel,
                sender_kind,
                author: actor.map(|actor| actor.user_id),
                content,
                snippet_id,
                sent_at: now,
            });
            // An unassigned conversation belongs to the agent who first replies.
            if let Some(actor) =
                actor.filter(|_| sender_kind.is_human() && state.assignees.is_empty())
            {
                events.push(E::ConversationAssigned {
                    assignees: vec![actor.user_id],
                    previous_assignees: Vec::new(),
                    automatic: true,
                });
            }
            Ok(events)
        }
        C::HandOffToHuman { reason } => {
            require_open_or_resolved(state)?;
            let mut events = vec![E::HandedOffToHuman { reason }];
            if state.bot == Bot::Answering {
                events.push(E::BotDisabled { by: None });
            }
            Ok(events)
        }
        C::EnableBot { actor } => {
            require_open_or_resolved(state)?;
            if state.bot == Bot::Answering {
                return Ok(Vec::new());
            }
            Ok(vec![E::BotEnabled {
                by: actor.map(|actor| actor.user_id),
            }])
        }
        C::DisableBot { actor } => {
            require_exists(state)?;
            // Switched off before it ever spoke, it stays quiet when it would.
            if state.bot == Bot::Disabled {
                return Ok(Vec::new());
            }
            Ok(vec![E::BotDisabled {
                by: actor.map(|actor| actor.user_id),
            }])
        }
        C::AddPrivateNote {
            actor,
            text,
            note_id,
        } => {
            require_exists(state)?;
            require_text("text", &text)?;
            Ok(vec![E::PrivateNoteAdded {
                note_id,
                author: actor.user_id,
                text,
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}

/// What the chatbot's state says about a reply: a person does not talk over an
/// answering bot, a disabled bot stays quiet, and a bot's first word switches it on.
fn bot_for_reply(state: &Conversation, sender_kind: SenderKind) -> Result<Vec<E>, R> {
    match (sender_kind, state.bot) {
        (SenderKind::Agent, Bot::Answering) => Err(R::BotAnswering),
        (SenderKind::Bot, Bot::Disabled) => Err(R::BotDisabled),
        (SenderKind::Bot, Bot::Absent) => Ok(vec![E::BotEnabled { by: None }]),
        _ => Ok(Vec::new()),
    }
}

/// Staff reply as `agent`; an integration as the `bot` or the `auto_reply`, never
/// as a person, and staff never as a machine.
fn sender_kind_of(actor: Option<Actor>, requested: Option<SenderKind>) -> Result<SenderKind, R> {
    match (actor, requested) {
        (Some(_), None | Some(SenderKind::Agent)) => Ok(SenderKind::Agent),
        (None, None) => Ok(SenderKind::Bot),
        (None, Some(kind @ (SenderKind::Bot | SenderKind::AutoReply))) => Ok(kind),
        (actor, Some(kind)) => Err(R::SenderKindNotAllowed {
            role: actor.map_or(Role::Integration, |actor| actor.role),
            kind,
        }),
    }
}
