//! Events of the `conversation` stream: one stream per conversation (case, ticket).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::content::{Channel, MessageContent, SenderKind};
use crate::ids::UserId;

/// How a conversation came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartedBy {
    /// The contact's inbound message, when the contact had no conversation that was not closed.
    InboundMessage,
    /// An agent starting a new chat to the contact.
    Agent,
}

/// Why a conversation closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// Someone closed it.
    Manual,
    /// The auto-close timer closed it after it stayed resolved long enough.
    AutoClose,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum ConversationEvent {
    ConversationStarted {
        contact_id: Uuid,
        /// The team inbox it belongs to: the contact's group, or none.
        group_id: Option<Uuid>,
        channel: Channel,
        started_by: StartedBy,
        /// The contact's presets, applied to each new conversation: assignees…
        assignees: Vec<UserId>,
        /// …and restricted visibility (`None`: everyone in the group).
        visible_to: Option<Vec<UserId>>,
    },
    MessageReceived {
        message_id: Uuid,
        channel: Channel,
        /// The channel gateway's own id, for de-duplicating redeliveries.
        external_id: Option<String>,
        content: MessageContent,
        received_at: DateTime<Utc>,
    },
    MessageSent {
        message_id: Uuid,
        channel: Channel,
        sender_kind: SenderKind,
        /// The human author, for agent messages.
        author: Option<UserId>,
        content: MessageContent,
        /// The snippet the text was expanded from, if any.
        snippet_id: Option<Uuid>,
        sent_at: DateTime<Utc>,
    },
    HandedOffToHuman {
        reason: Option<String>,
    },
    /// The contact came back after their previous conversation closed: the agent who
    /// last handled them is named, and told first.
    ContactReturned {
        previous_conversation_id: Uuid,
        /// Who last answered the contact there (or was assigned it); null when nobody
        /// did, or when they may not see the new conversation.
        previous_agent: Option<UserId>,
    },
    /// The channel's chatbot answers this conversation: a person replies only once it
    /// is disabled. Enabled by the bot's first message, or by hand.
    BotEnabled {
        /// Who switched it on; null when the bot's own message did.
        by: Option<UserId>,
    },
    /// The chatbot stops answering: a person took over (or the bot handed off).
    BotDisabled {
        /// Who switched it off; null when the bot's hand-off did.
        by: Option<UserId>,
    },
    PrivateNoteAdded {
        note_id: Uuid,
        author: UserId,
        text: String,
    },
    InternalMessageSent {
        internal_message_id: Uuid,
        from: UserId,
        to: UserId,
        text: String,
        in_reply_to: Option<Uuid>,
    },
    InternalMessageRead {
        internal_message_id: Uuid,
        reader: UserId,
    },
    /// An account admin deleted an internal message and every reply to it: they leave
    /// the internal messages; the log keeps them for auditors.
    InternalThreadDeleted {
        /// The message the thread was deleted from.
        internal_message_id: Uuid,
        /// Every message deleted: that one and the replies to it, to any depth.
        message_ids: Vec<Uuid>,
        deleted_by: UserId,
    },
    ConversationAssigned {
        assignees: Vec<UserId>,
        previous_assignees: Vec<UserId>,
        /// True when the first human reply assigned an unassigned conversation.
        automatic: bool,
    },
    VisibilityChanged {
        visible_to: Option<Vec<UserId>>,
    },
    ConversationAccepted {
        user: UserId,
    },
    ConversationRejected {
        user: UserId,
    },
    ConversationLeft {
        user: UserId,
    },
    ConversationRead {
        user: UserId,
        /// The last message the user has now seen.
        up_to_message_id: Option<Uuid>,
    },
    ConversationResolved {},
    /// Schema v2; v1 said `{automatic: bool}` (see `upcast`).
    ConversationClosed {
        reason: CloseReason,
    },
    ConversationReopened {},
    ConversationDeleted {},
    InvoiceAttached {
        invoice_id: String,
        amount_minor: i64,
        currency: String,
    },
    InvoicePaid {
        invoice_id: String,
    },
    ConversationRated {
        score: u8,
        comment: Option<String>,
    },
    TopicSet {
        topic: String,
    },
}
