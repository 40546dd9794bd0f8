//! The internal team chat (README "The internal team chat with curl"): channels, direct messages and
//! announcements. Where a `PostMessage` or any other chat command becomes events:
//! [`decide`]; what a channel's events add up to: [`Channel::evolve`]; who may do what:
//! [`rules`], one function per permission. A user's read marks are their own stream
//! ([`decide_reading`]), so reading never contends with posting.

mod command;
mod decide;
mod mentions;
mod reading;
mod rejection;
pub mod rules;
mod state;
#[cfg(test)]
mod tests;

pub use command::{ChannelChanges, ChatCommand, ChatContext, NewCard, ReadingCommand};
pub use decide::decide;
pub use mentions::mentions_in;
pub use reading::{ChatReader, decide_reading};
pub use rejection::ChatRejection;
pub use state::{Channel, MemberPreferences, PostedMessage};
