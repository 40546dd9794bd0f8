//! Why a conversation refuses a command: one variant per broken rule, carrying the facts.

use uuid::Uuid;

use caselog_schemas::events::SenderKind;
use caselog_schemas::{Role, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversationRejection {
    #[error("the conversation does not exist")]
    NotFound,
    #[error("the conversation already exists")]
    AlreadyExists,
    #[error("the conversation is closed: the contact's next message starts a new conversation")]
    Closed,
    #[error("the message has no text, attachment or voice")]
    EmptyMessage,
    #[error("accept the conversation first: this tenant requires it before anything else")]
    NotAccepted,
    #[error("only an assignee or an account admin may do this")]
    NotAnAssigneeOrAdmin,
    #[error(
        "only the conversation's assignees, supervisors and account admins may change its visibility"
    )]
    MayNotChangeVisibility,
    #[error("only owners and admins may delete a conversation")]
    MayNotDelete,
    #[error(
        "{user} is not a member of the conversation's group {group}; only an account admin \
         assigns outside it"
    )]
    OutsideGroup { user: UserId, group: Uuid },
    #[error("assignee {user} is not in the conversation's visibility list")]
    AssigneeNotVisible { user: UserId },
    #[error("invoice {invoice_id} is unpaid")]
    UnpaidInvoice { invoice_id: String },
    #[error("invoice {invoice_id} is already attached")]
    InvoiceAlreadyAttached { invoice_id: String },
    #[error("invoice {invoice_id} is not attached to this conversation")]
    UnknownInvoice { invoice_id: String },
    #[error("the conversation is {current}, so it cannot be {wanted}")]
    WrongStatus {
        current: &'static str,
        wanted: &'static str,
    },
    #[error("internal message {internal_message_id} does not exist in this conversation")]
    UnknownInternalMessage { internal_message_id: Uuid },
    #[error("only owners and admins may delete internal messages")]
    MayNotDeleteInternalMessages,
    #[error("only the recipient may mark an internal message read")]
    NotTheRecipient,
    #[error("a rating is a score from 1 to 5")]
    InvalidScore,
    #[error("{field} must not be empty")]
    Blank { field: &'static str },
    #[error("{field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error(
        "the chatbot is answering this conversation: disable it \
         (POST /v1/conversations/{{id}}/bot/disable) before replying"
    )]
    BotAnswering,
    #[error("the chatbot was disabled for this conversation: a person answers it now")]
    BotDisabled,
    #[error("{user} is not an assignee")]
    NotAssigned { user: UserId },
    #[error("the {} role may not send {kind:?} messages", role.as_str())]
    SenderKindNotAllowed { role: Role, kind: SenderKind },
}
