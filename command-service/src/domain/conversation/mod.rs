//! The conversation aggregate (a case, a ticket): where an `AssignConversation` or any
//! other conversation command becomes events.

mod state;

pub use state::{Conversation, InternalMessage, Status};
