//! The support domain, pure: each aggregate is `decide(&State, Command) -> Result<Vec<Event>,
//! Rejection>` and `evolve(State, &Event) -> State`, with no IO. Whatever a rule needs to
//! know beyond the stream's own history (the tenant's settings, the contact's presets, a
//! snippet) is looked up by the caller and put in the command.

pub mod chat;
pub mod conversation;
pub mod directory;
