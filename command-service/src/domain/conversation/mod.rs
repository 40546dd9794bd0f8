//! The conversation aggregate (a case, a ticket): where an `AssignConversation` or any
//! other conversation command becomes events (`decide`), and what the events add up to
//! (`Conversation::evolve`).

mod command;
mod decide;
mod rejection;
mod state;
#[cfg(test)]
mod tests;

pub use command::{Actor, ContactPresets, ConversationCommand, Policy, Predecessor};
pub use decide::{decide, decide_as};
pub use rejection::ConversationRejection;
pub use state::{Bot, Conversation, InternalMessage, Status};
