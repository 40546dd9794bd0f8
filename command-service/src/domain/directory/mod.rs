//! The directory aggregates: users, groups, contacts (with their presets), the tenant's
//! settings and its snippet library. Each is a stream of the `directory` type; `decide`
//! keeps an id to one kind of entry and the snippet library to its limit.

mod command;
mod decide;
mod rejection;
mod snippet;
mod state;
#[cfg(test)]
mod tests;

pub use command::{
    ContactDetails, DirectoryCommand, FileFields, ItemFields, SettingsChange, SnippetFields,
    UserDetails,
};
pub use decide::{SNIPPET_LIMIT, decide};
pub use rejection::DirectoryRejection;
pub use snippet::{ContactVariables, expand_snippet};
pub use state::{Contact, DirectoryEntry, Snippet, User};
