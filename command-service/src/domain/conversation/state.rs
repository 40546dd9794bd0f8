//! What a conversation's history adds up to, as far as its rules need to know.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use caselog_schemas::{Role, UserId};

use super::command::Actor;
use caselog_schemas::events::{Channel, ConversationEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// No event yet: the stream does not exist.
    #[default]
    New,
    Open,
    Resolved,
    Closed,
    /// Final: nothing more happens to it.
    Deleted,
}

/// Whether the channel's chatbot answers the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bot {
    /// No bot has spoken or been switched on here.
    #[default]
    Absent,
    /// The bot answers: a person must disable it before replying.
    Answering,
    /// Switched off: a person answers, and the bot stays quiet.
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalMessage {
    pub from: UserId,
    pub to: UserId,
    pub in_reply_to: Option<Uuid>,
    pub read: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversation {
    pub status: Status,
    pub contact_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    /// Every channel the conversation has used, and the last one (replies go there by default).
    pub channels: BTreeSet<Channel>,
    pub last_channel: Option<Channel>,
    pub assignees: Vec<UserId>,
    /// `None`: everyone in the group may see it.
    pub visible_to: Option<Vec<UserId>>,
    pub accepted_by: BTreeSet<UserId>,
    /// Invoice id -> paid.
    pub invoices: BTreeMap<String, bool>,
    pub internal_messages: BTreeMap<Uuid, InternalMessage>,
    pub last_message_id: Option<Uuid>,
    pub has_messages: bool,
    pub bot: Bot,
    /// Who last answered the contact (a person's reply).
    pub last_agent: Option<UserId>,
}

impl Conversation {
    pub fn exists(&self) -> bool {
        !matches!(self.status, Status::New | Status::Deleted)
    }

    pub fn is_assignee(&self, user: UserId) -> bool {
        self.assignees.contains(&user)
    }

    /// Whether `actor` may see the conversation: a restricted one only its list may,
    /// besides owners, auditors and the channel gateways that deliver its messages.
    pub fn may_be_seen_by(&self, actor: Actor) -> bool {
        matches!(actor.role, Role::Owner | Role::Auditor | Role::Integration)
            || self
                .visible_to
                .as_ref()
                .is_none_or(|list| list.contains(&actor.user_id))
    }

    /// An internal message and every reply to it, to any depth, oldest first.
    pub fn internal_thread(&self, root: Uuid) -> Vec<Uuid> {
        let mut thread = vec![root];
        let mut next = 0;
        while next < thread.len() {
            let parent = thread[next];
            let replies: Vec<Uuid> = self
                .internal_messages
                .iter()
                .filter(|(id, message)| message.in_reply_to == Some(parent) && !thread.contains(id))
                .map(|(id, _)| *id)
                .collect();
            thread.extend(replies);
            next += 1;
        }
        thread
    }

    pub fn unpaid_invoice(&self) -> Option<&str> {
        self.invoices
            .iter()
            .find(|(_, paid)| !**paid)
            .map(|(id, _)| id.as_str())
    }

    /// A message in or out: the channels it used, the last one, the last message.
    fn message(mut self, event: &ConversationEvent) -> Self {
        if let ConversationEvent::MessageReceived {
            message_id,
            channel,
            ..
        }
        | ConversationEvent::MessageSent {
            message_id,
            channel,
            ..
        } = event
        {
            self.channels.insert(*channel);
            self.last_channel = Some(*channel);
            self.last_message_id = Some(*message_id);
            self.has_messages = true;
        }
        self
    }

    /// Folds one event into the state.
    pub fn evolve(mut self, event: &ConversationEvent) -> Self {
        use ConversationEvent as E;
        match event {
            E::ConversationStarted {
                contact_id,
                group_id,
                channel,
                assignees,
                visible_to,
                ..
            } => {
                self.status = Status::Open;
                self.contact_id = Some(*contact_id);
                self.group_id = *group_id;
                self.channels.insert(*channel);
                self.last_channel = Some(*channel);
                self.assignees = assignees.clone();
                self.visible_to = visible_to.clone();
            }
            E::MessageSent {
                author: Some(author),
                sender_kind,
                ..
            } if sender_kind.is_human() => {
                self.last_agent = Some(*author);
                self = self.message(event);
            }
            E::MessageReceived { .. } | E::MessageSent { .. } => self = self.message(event),
            E::ContactReturned { .. } => {}
            E::InternalMessageSent {
                internal_message_id,
                from,
                to,
                in_reply_to,
                ..
            } => {
                self.internal_messages.insert(
                    *internal_message_id,
                    InternalMessage {
                        from: *from,
                        to: *to,
                        in_reply_to: *in_reply_to,
                        read: false,
                    },
                );
            }
            E::InternalThreadDeleted { message_ids, .. } => {
                for id in message_ids {
                    self.internal_messages.remove(id);
                }
            }
            E::InternalMessageRead {
                internal_message_id,
                ..
            } => {
                if let Some(message) = self.internal_messages.get_mut(internal_message_id) {
                    message.read = true;
                }
            }
            E::ConversationAssigned { assignees, .. } => self.assignees = assignees.clone(),
            E::VisibilityChanged { visible_to } => self.visible_to = visible_to.clone(),
            E::ConversationAccepted { user } => {
                self.accepted_by.insert(*user);
            }
            E::ConversationRejected { user } | E::ConversationLeft { user } => {
                self.assignees.retain(|assignee| assignee != user);
                self.accepted_by.remove(user);
            }
            E::ConversationResolved {} => self.status = Status::Resolved,
            E::ConversationClosed { .. } => self.status = Status::Closed,
            E::ConversationReopened {} => self.status = Status::Open,
            E::ConversationDeleted {} => self.status = Status::Deleted,
            E::InvoiceAttached { invoice_id, .. } => {
                self.invoices.insert(invoice_id.clone(), false);
            }
            E::InvoicePaid { invoice_id } => {
                self.invoices.insert(invoice_id.clone(), true);
            }
            E::BotEnabled { .. } => self.bot = Bot::Answering,
            E::BotDisabled { .. } => self.bot = Bot::Disabled,
            E::HandedOffToHuman { .. }
            | E::PrivateNoteAdded { .. }
            | E::ConversationRead { .. }
            | E::ConversationRated { .. }
            | E::TopicSet { .. } => {}
        }
        self
    }

    /// Folds a whole history.
    pub fn from_history<'a>(events: impl IntoIterator<Item = &'a ConversationEvent>) -> Self {
        events
            .into_iter()
            .fold(Conversation::default(), Conversation::evolve)
    }
}
