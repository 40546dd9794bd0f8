//! What can be asked of a channel, and of a user's read marks. The acting user, the
//! tenant's chat switch, generated ids and the time travel in the command, so `decide`
//! stays pure.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use caselog_schemas::UserId;
use caselog_schemas::events::{
    CardDescription, CardEntityType, ChannelAvatar, ChannelKind, ChannelRole, MessageContent,
    NotificationLevel,
};

use crate::domain::conversation::Actor;

/// Who acts, and whether the tenant has the chat module switched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatContext {
    pub actor: Actor,
    pub chat_enabled: bool,
}

/// A `PATCH`: fields left out stay as they are; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub avatar: Option<Option<ChannelAvatar>>,
}

/// An item shared into a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    pub card_id: Uuid,
    pub entity_type: CardEntityType,
    pub entity_id: String,
    /// What an integration says the item is; `None` for conversations and contacts.
    pub description: Option<CardDescription>,
    pub text: Option<String>,
    pub mentions: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChatCommand {
    CreateChannel {
        kind: ChannelKind,
        name: String,
        description: Option<String>,
        avatar: Option<ChannelAvatar>,
        members: Vec<UserId>,
    },
    UpdateChannel(ChannelChanges),
    JoinChannel,
    AddMember {
        user_id: UserId,
    },
    RemoveMember {
        user_id: UserId,
    },
    ChangeMemberRole {
        user_id: UserId,
        role: ChannelRole,
    },
    SetAnnouncementAuthors {
        authors: Vec<UserId>,
    },
    /// Opens (or finds) the DM between the actor and `with`, on the stream named by
    /// `direct_message_id`.
    OpenDirectMessage {
        with: UserId,
    },
    PostMessage {
        message_id: Uuid,
        content: MessageContent,
        /// Given by the client; `@<user id>` in the text is added to them.
        mentions: Vec<UserId>,
        now: DateTime<Utc>,
    },
    DeleteMessage {
        message_id: Uuid,
    },
    React {
        message_id: Uuid,
        emoji: String,
    },
    Unreact {
        message_id: Uuid,
        emoji: String,
    },
    SetMemberPreferences {
        level: NotificationLevel,
        muted: bool,
        personal_note: Option<String>,
    },
    ShareCard {
        card: NewCard,
        now: DateTime<Utc>,
    },
}

/// What a user marks read, on their own `chat_reader` stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadingCommand {
    /// The channel must be one the reader may see (checked by the caller with
    /// [`super::rules::may_see`] on the loaded channel).
    MarkChannelRead {
        channel_id: Uuid,
    },
    MarkNotificationsRead {
        message_ids: Vec<Uuid>,
    },
    MarkAllNotificationsRead,
}
