//! What can be asked of a conversation. Everything a rule needs beyond the stream's own
//! history travels in the command: the acting user, the tenant's settings, the contact's
//! presets, generated ids and the current time, so `decide` stays pure and repeatable.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use caselog_schemas::events::{Channel, MessageContent, SenderKind};
use caselog_schemas::{Role, UserId};

/// A signed-in user acting on the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

impl Actor {
    /// Owners and admins may resolve, close, reopen and delete any conversation.
    pub fn is_account_admin(self) -> bool {
        matches!(self.role, Role::Owner | Role::Admin)
    }
}

/// The tenant's settings that change a conversation's rules for its users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// An agent accepts a conversation before replying, resolving, closing, reopening,
    /// leaving, transferring it or changing who sees it.
    pub require_accept: bool,
}

/// The contact's previous conversation, when a new one starts after it closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Predecessor {
    pub conversation_id: Uuid,
    /// Who last handled it: its last human replier, or else its first assignee.
    pub last_agent: Option<UserId>,
}

/// A contact's presets, applied to each new conversation of that contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactPresets {
    pub auto_assign: Vec<UserId>,
    pub visible_to: Option<Vec<UserId>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConversationCommand {
    /// A customer's message from a channel gateway.
    ReceiveInboundMessage {
        contact_id: Uuid,
        group_id: Option<Uuid>,
        presets: ContactPresets,
        /// The conversation before this one, when it starts a new one after a close.
        predecessor: Option<Predecessor>,
        channel: Channel,
        external_id: Option<String>,
        content: MessageContent,
        message_id: Uuid,
        now: DateTime<Utc>,
    },
    /// An agent starting a new chat to a contact.
    StartConversation {
        actor: Actor,
        contact_id: Uuid,
        group_id: Option<Uuid>,
        presets: ContactPresets,
        channel: Channel,
        content: MessageContent,
        snippet_id: Option<Uuid>,
        message_id: Uuid,
        now: DateTime<Utc>,
    },
    SendMessage {
        /// `None` for messages from an integration (bot, auto-reply).
        actor: Option<Actor>,
        /// The kind the sender asked for: staff send as `agent`, an integration as
        /// `bot` (by default) or `auto_reply`.
        sender_kind: Option<SenderKind>,
        channel: Option<Channel>,
        content: MessageContent,
        snippet_id: Option<Uuid>,
        message_id: Uuid,
        now: DateTime<Utc>,
    },
    HandOffToHuman {
        reason: Option<String>,
    },
    /// Lets the channel's chatbot answer (`actor` `None`: the integration itself).
    EnableBot {
        actor: Option<Actor>,
    },
    /// Stops the chatbot, so a person can answer.
    DisableBot {
        actor: Option<Actor>,
    },
    AddPrivateNote {
        actor: Actor,
        text: String,
        note_id: Uuid,
    },
    SendInternalMessage {
        actor: Actor,
        to: UserId,
        text: String,
        in_reply_to: Option<Uuid>,
        internal_message_id: Uuid,
    },
    /// Deletes an internal message and the replies to it (account admins).
    DeleteInternalThread {
        actor: Actor,
        internal_message_id: Uuid,
    },
    MarkInternalMessageRead {
        actor: Actor,
        internal_message_id: Uuid,
    },
    AssignConversation {
        actor: Actor,
        assignees: Vec<UserId>,
        /// The groups each assignee belongs to: in a group's conversation, only an
        /// account admin assigns someone outside it.
        assignee_groups: BTreeMap<UserId, Vec<Uuid>>,
    },
    SetVisibility {
        actor: Actor,
        visible_to: Option<Vec<UserId>>,
    },
    AcceptConversation {
        actor: Actor,
        /// The groups the accepting user belongs to.
        groups: Vec<Uuid>,
    },
    RejectConversation {
        actor: Actor,
    },
    LeaveConversation {
        actor: Actor,
    },
    MarkConversationRead {
        actor: Actor,
    },
    ResolveConversation {
        actor: Actor,
    },
    CloseConversation {
        actor: Actor,
    },
    /// The auto-close timer, after the tenant's delay.
    CloseResolvedConversation,
    ReopenConversation {
        actor: Actor,
    },
    DeleteConversation {
        actor: Actor,
    },
    /// Erase the conversation because its contact is erased as a data subject: like a
    /// deletion, but nothing holds it back (an unpaid invoice neither), and erasing it
    /// again changes nothing.
    EraseConversation {
        actor: Actor,
    },
    AttachInvoice {
        invoice_id: String,
        amount_minor: i64,
        currency: String,
    },
    MarkInvoicePaid {
        invoice_id: String,
    },
    RateConversation {
        score: u8,
        comment: Option<String>,
    },
    SetTopic {
        topic: String,
    },
}

impl ConversationCommand {
    /// Whether an agent must have accepted the conversation first, when the tenant
    /// requires it (the chat session's "accept before anything else").
    pub fn needs_acceptance(&self) -> bool {
        matches!(
            self,
            ConversationCommand::SendMessage { .. }
                | ConversationCommand::ResolveConversation { .. }
                | ConversationCommand::CloseConversation { .. }
                | ConversationCommand::ReopenConversation { .. }
                | ConversationCommand::LeaveConversation { .. }
                | ConversationCommand::AssignConversation { .. }
                | ConversationCommand::SetVisibility { .. }
        )
    }
}
