//! Why a directory entry refuses a command.

use uuid::Uuid;

use caselog_schemas::UserId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryRejection {
    #[error("id {id} already names a {existing}, not a {wanted}")]
    IdTakenByAnotherKind {
        id: Uuid,
        existing: &'static str,
        wanted: &'static str,
    },
    #[error("{field} must not be empty")]
    Blank { field: &'static str },
    #[error("{field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("preset assignee {user} is not in the preset visibility list")]
    PresetAssigneeNotVisible { user: UserId },
    #[error("the tenant already has {limit} snippets")]
    SnippetLimitReached { limit: usize },
    #[error("snippet {snippet_id} already exists")]
    SnippetExists { snippet_id: Uuid },
    #[error("{id} is not a user of this tenant")]
    NotAUser { id: Uuid },
    #[error("no user {id} to erase")]
    UnknownUser { id: Uuid },
    #[error("no contact {id} to erase")]
    UnknownContact { id: Uuid },
    #[error("snippet {snippet_id} does not exist")]
    UnknownSnippet { snippet_id: Uuid },
    #[error("no such item is registered")]
    UnknownItem,
    #[error("no such file in the library")]
    UnknownFile,
    #[error("the internal chat is switched off for this account")]
    ChatSwitchedOff,
}
