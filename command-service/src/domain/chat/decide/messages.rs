//! Messages in a channel: posting, deleting, reactions, cards.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(channel: &Channel, actor: Actor, command: C) -> Result<Vec<E>, R> {
    match command {
        C::PostMessage {
            message_id,
            content,
            mentions,
            now,
        } => {
            rules::may_post(channel, actor)?;
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let content = require_content(content)?;
            let mentions = mentions_of(content.text.as_deref(), mentions)?;
            Ok(vec![E::MessagePosted {
                message_id,
                author: actor.user_id,
                content,
                mentions,
                posted_at: now,
            }])
        }
        C::DeleteMessage { message_id } => {
            rules::may_delete_message(channel, actor)?;
            match channel.messages.get(&message_id) {
                None => Err(R::UnknownMessage { message_id }),
                Some(message) if message.deleted => Ok(Vec::new()),
                Some(_) => Ok(vec![E::MessageDeleted {
                    message_id,
                    deleted_by: actor.user_id,
                }]),
            }
        }
        C::React { message_id, emoji } => {
            rules::is_member(channel, actor)?;
            let emoji = require_emoji(&emoji)?;
            let message = live_message(channel, message_id)?;
            if message.reactions.contains(&(actor.user_id, emoji.clone())) {
                return Ok(Vec::new());
            }
            Ok(vec![E::ReactionAdded {
                message_id,
                user_id: actor.user_id,
                emoji,
            }])
        }
        C::Unreact { message_id, emoji } => {
            rules::is_member(channel, actor)?;
            let message = live_message(channel, message_id)?;
            if !message.reactions.contains(&(actor.user_id, emoji.clone())) {
                return Ok(Vec::new());
            }
            Ok(vec![E::ReactionRemoved {
                message_id,
                user_id: actor.user_id,
                emoji,
            }])
        }
        C::ShareCard { card, now } => {
            rules::may_share(card.entity_type, actor)?;
            rules::may_share_into(channel, actor)?;
            share(actor.user_id, card, now)
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
