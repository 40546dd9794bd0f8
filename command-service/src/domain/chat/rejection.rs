//! Why the chat refuses a command: one variant per broken rule.

use uuid::Uuid;

use caselog_schemas::UserId;
use caselog_schemas::events::{CardEntityType, ChannelKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatRejection {
    #[error("the internal chat is switched off for this account")]
    ChatSwitchedOff,
    /// The channel does not exist, or is private (or a DM) and the actor is not in it.
    #[error("the channel does not exist")]
    NotFound,
    #[error("the channel already exists")]
    AlreadyExists,
    #[error("message {message_id} does not exist in this channel")]
    UnknownMessage { message_id: Uuid },
    #[error("message {message_id} was deleted")]
    MessageDeleted { message_id: Uuid },
    #[error("only account owners and admins may create {kind:?} channels")]
    MayNotCreate { kind: ChannelKind },
    #[error("join the channel first")]
    NotAMember,
    #[error("only the channel's owner and admins, or an account admin, may do this")]
    NotAChannelManager,
    #[error("only account owners and admins may delete a message")]
    MayNotDeleteMessages,
    #[error("only the announcement channel's authors may post in it")]
    NotAnAuthor,
    #[error("the people of a direct message cannot change")]
    DirectMessageIsFixed,
    #[error("only announcement channels have authors")]
    NotAnAnnouncementChannel,
    #[error("the channel's owner keeps their role and their place")]
    OwnerStays,
    #[error("{user} is not a member of the channel")]
    NotAMemberOfChannel { user: UserId },
    #[error("{entity_type:?} cards come from their source module (the integration role)")]
    CardComesFromIntegration { entity_type: CardEntityType },
    #[error("{entity_type:?} cards are built by caselog from its own data")]
    CardBuiltByCaselog { entity_type: CardEntityType },
    #[error("the message has no text, attachment or voice")]
    EmptyMessage,
    #[error("{field} must not be empty")]
    Blank { field: &'static str },
    #[error("{field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}
