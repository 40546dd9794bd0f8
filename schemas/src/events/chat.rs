//! Events of the internal team chat. Chat lives in its own streams and never in a
//! conversation's: nothing here changes support counts, SLA figures or a case history.
//!
//! - `chat_channel`: one stream per channel; a direct message is a channel too, whose
//!   id is derived from its two people ([`direct_message_id`]) so opening it twice
//!   lands on the same stream.
//! - `chat_reader`: one stream per user (id = the user id): what they have read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::content::MessageContent;
use crate::ids::UserId;

/// The stream id of the direct message between two users (the same in either order;
/// `a == b` is a user's DM with themselves).
pub fn direct_message_id(tenant_id: Uuid, a: UserId, b: UserId) -> Uuid {
    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let mut name = Vec::with_capacity(3 + 32);
    name.extend_from_slice(b"dm:");
    name.extend_from_slice(first.0.as_bytes());
    name.extend_from_slice(second.0.as_bytes());
    Uuid::new_v5(&tenant_id, &name)
}

/// What kind of room a channel is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Any user finds it, reads it and joins it.
    Public,
    /// Invite only; invisible to non-members.
    Private,
    /// Only its listed authors post; everyone reads.
    Announcement,
    /// A direct message between two users, or a user's notes to themselves.
    Direct,
}

impl ChannelKind {
    /// The name it is stored and published under.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Public => "public",
            ChannelKind::Private => "private",
            ChannelKind::Announcement => "announcement",
            ChannelKind::Direct => "direct",
        }
    }
}

/// A member's role in one channel (not their role in the account).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChannelRole {
    /// The creator.
    Owner,
    Admin,
    Member,
}

impl ChannelRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelRole::Owner => "owner",
            ChannelRole::Admin => "admin",
            ChannelRole::Member => "member",
        }
    }
}

/// A channel's avatar: an image, or an icon with a colour.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, utoipa::ToSchema,
)]
#[serde(untagged)]
pub enum ChannelAvatar {
    Image {
        image_url: String,
    },
    Icon {
        icon: String,
        /// `#rrggbb`.
        color: String,
    },
}

/// Which messages of a channel notify a member.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum NotificationLevel {
    /// Every message of a direct message or an announcement channel, and mentions.
    #[default]
    All,
    Mentions,
    None,
}

impl NotificationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::All => "all",
            NotificationLevel::Mentions => "mentions",
            NotificationLevel::None => "none",
        }
    }
}

/// What a card points to. Conversations and contacts are caselog's own; the others come
/// from their source modules through the `integration` role.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CardEntityType {
    Conversation,
    Contact,
    Deal,
    Task,
    Product,
    Charge,
    CalendarEvent,
    Broadcast,
    Campaign,
}

impl CardEntityType {
    pub const ALL: [CardEntityType; 9] = [
        CardEntityType::Conversation,
        CardEntityType::Contact,
        CardEntityType::Deal,
        CardEntityType::Task,
        CardEntityType::Product,
        CardEntityType::Charge,
        CardEntityType::CalendarEvent,
        CardEntityType::Broadcast,
        CardEntityType::Campaign,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CardEntityType::Conversation => "conversation",
            CardEntityType::Contact => "contact",
            CardEntityType::Deal => "deal",
            CardEntityType::Task => "task",
            CardEntityType::Product => "product",
            CardEntityType::Charge => "charge",
            CardEntityType::CalendarEvent => "calendar_event",
            CardEntityType::Broadcast => "broadcast",
            CardEntityType::Campaign => "campaign",
        }
    }

    /// Built from caselog's own data at read time (title, summary and icon are not stored).
    pub fn is_caselog_own(self) -> bool {
        matches!(self, CardEntityType::Conversation | CardEntityType::Contact)
    }
}

/// What an integration's card shows, as its source module described it.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, utoipa::ToSchema,
)]
pub struct CardDescription {
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum ChatChannelEvent {
    ChannelCreated {
        kind: ChannelKind,
        name: String,
        description: Option<String>,
        avatar: Option<ChannelAvatar>,
        /// The creator, the channel's owner.
        owner: UserId,
        /// The first members besides the owner.
        members: Vec<UserId>,
        /// Who may post, for announcement channels (the creator at first).
        authors: Vec<UserId>,
    },
    /// The channel's details after the change, whole.
    ChannelUpdated {
        name: String,
        description: Option<String>,
        avatar: Option<ChannelAvatar>,
    },
    /// A user joined a public or announcement channel by themselves.
    MemberJoined {
        user_id: UserId,
    },
    MemberAdded {
        user_id: UserId,
        added_by: UserId,
    },
    MemberRemoved {
        user_id: UserId,
        removed_by: UserId,
    },
    MemberRoleChanged {
        user_id: UserId,
        role: ChannelRole,
    },
    AnnouncementAuthorsSet {
        authors: Vec<UserId>,
    },
    /// The direct message between `members` (one user: their notes to themselves).
    DirectMessageOpened {
        members: Vec<UserId>,
    },
    MessagePosted {
        message_id: Uuid,
        author: UserId,
        content: MessageContent,
        mentions: Vec<UserId>,
        posted_at: DateTime<Utc>,
    },
    /// An item shared as a card, with an optional message. The card stores a
    /// reference; what it shows is resolved, per viewer, when it is read.
    CardShared {
        card_id: Uuid,
        author: UserId,
        entity_type: CardEntityType,
        entity_id: String,
        /// For the integration types only: what the source module says the item is.
        description: Option<CardDescription>,
        text: Option<String>,
        mentions: Vec<UserId>,
        shared_at: DateTime<Utc>,
    },
    /// A message (or a shared card) removed by an account admin.
    MessageDeleted {
        message_id: Uuid,
        deleted_by: UserId,
    },
    ReactionAdded {
        message_id: Uuid,
        user_id: UserId,
        emoji: String,
    },
    ReactionRemoved {
        message_id: Uuid,
        user_id: UserId,
        emoji: String,
    },
    MemberPreferencesSet {
        user_id: UserId,
        level: NotificationLevel,
        muted: bool,
        /// Shown to this member only.
        personal_note: Option<String>,
    },
}

/// Events of a user's `chat_reader` stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum ChatReaderEvent {
    /// Everything in the channel up to this event is read, its notifications included.
    ChannelRead { channel_id: Uuid },
    /// These notifications (named by their message's id) are read.
    NotificationsRead { message_ids: Vec<Uuid> },
    /// Every notification up to this event is read.
    AllNotificationsRead {},
}

#[cfg(test)]
mod tests;
