//! A user's read marks: their own `chat_reader` stream, so marking a busy channel read
//! never races the people posting in it.

use caselog_schemas::events::ChatReaderEvent as E;

use super::command::{ChatContext, ReadingCommand as C};
use super::rejection::ChatRejection as R;
use super::rules;
use super::state::Channel;

const IDS_MAX: usize = 200;

/// Nothing to remember: every mark is a fact of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChatReader;

/// `channel` is the channel a `MarkChannelRead` names, loaded by the caller.
pub fn decide_reading(
    context: ChatContext,
    channel: Option<&Channel>,
    command: C,
) -> Result<Vec<E>, R> {
    rules::chat_switched_on(context.chat_enabled)?;
    match command {
        C::MarkChannelRead { channel_id } => {
            rules::may_see(channel.ok_or(R::NotFound)?, context.actor)?;
            Ok(vec![E::ChannelRead { channel_id }])
        }
        C::MarkNotificationsRead { message_ids } => {
            if message_ids.is_empty() {
                return Err(R::Blank { field: "ids" });
            }
            if message_ids.len() > IDS_MAX {
                return Err(R::Invalid {
                    field: "ids",
                    reason: "at most 200 at once",
                });
            }
            let mut message_ids = message_ids;
            message_ids.sort();
            message_ids.dedup();
            Ok(vec![E::NotificationsRead { message_ids }])
        }
        C::MarkAllNotificationsRead => Ok(vec![E::AllNotificationsRead {}]),
    }
}
