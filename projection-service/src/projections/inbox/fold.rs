//! What a batch of events does to the inbox, worked out in memory: each conversation
//! row the batch names is read once, every event is folded into it here, and
//! [`super::store`] writes each changed row once. A rebuild or a busy moment then
//! costs a few statements per batch, not one per event, and each row moves in the
//! activity and assignees indexes once per batch.
//!
//! Pure: no IO. The rules are the inbox's: unreplied counts inbound messages since the
//! last human reply (bot and auto-reply messages and a hand-off do not answer the
//! customer); whoever writes a reply has read what came before it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use caselog_read_model::ConversationStatus;
use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use crate::projections::access::user_ids;

mod row;
pub use row::ConversationRow;

/// A conversation: (tenant, conversation).
pub type ConversationKey = (Uuid, Uuid);

/// The rows a batch touches, as they stand after the events folded so far.
#[derive(Debug, Default)]
pub struct InboxChanges {
    /// Every conversation the batch names: `None` while it has no row.
    rows: HashMap<ConversationKey, Option<ConversationRow>>,
    changed: HashSet<ConversationKey>,
    /// Deleted conversations: their rows and read marks go before anything is written.
    deleted: HashSet<ConversationKey>,
    /// The newest read mark per conversation and user.
    reads: HashMap<(ConversationKey, Uuid), i64>,
    /// Contacts' names: (tenant, contact) -> name.
    contacts: HashMap<(Uuid, Uuid), String>,
    /// Users' groups: (tenant, user) -> groups.
    user_groups: HashMap<(Uuid, Uuid), Vec<Uuid>>,
    /// Internal messages: (conversation, message) -> its recipient while unread,
    /// `None` once read.
    unread_internal: HashMap<(ConversationKey, Uuid), Option<Uuid>>,
    /// The position of the event being folded.
    position: i64,
}

impl InboxChanges {
    /// Starts from the rows stored for `keys` (the ones the batch names).
    pub fn new(
        keys: impl IntoIterator<Item = ConversationKey>,
        stored: Vec<ConversationRow>,
    ) -> Self {
        let mut rows: HashMap<ConversationKey, Option<ConversationRow>> =
            keys.into_iter().map(|key| (key, None)).collect();
        for row in stored {
            rows.insert((row.tenant_id, row.conversation_id), Some(row));
        }
        Self {
            rows,
            ..Self::default()
        }
    }

    pub fn contact_named(&mut self, tenant_id: Uuid, contact_id: Uuid, name: String) {
        self.contacts.insert((tenant_id, contact_id), name);
    }

    /// A user's groups as they now stand (none once the user is erased).
    pub fn user_in_groups(&mut self, tenant_id: Uuid, user_id: Uuid, groups: Vec<Uuid>) {
        self.user_groups.insert((tenant_id, user_id), groups);
    }

    /// The row of a conversation that has just started (a replay of the start keeps
    /// the row it made).
    fn start(&mut self, key: ConversationKey, event: &EventEnvelope, started: &E) {
        let E::ConversationStarted {
            contact_id,
            group_id,
            channel,
            assignees,
            visible_to,
            ..
        } = started
        else {
            return;
        };
        let (at, position) = (event.recorded_at, event.position.0);
        let slot = self.rows.entry(key).or_default();
        if slot.is_none() {
            *slot = Some(ConversationRow {
                tenant_id: key.0,
                conversation_id: key.1,
                contact_id: *contact_id,
                group_id: *group_id,
                channels: vec![channel.as_str().to_owned()],
                status: ConversationStatus::Open,
                assignees: assignees.iter().map(|user| user.0).collect(),
                visible_to: user_ids(visible_to),
                started_at: at,
                first_inbound_at: None,
                first_response_seconds: None,
                closed_at: None,
                last_activity_at: at,
                last_activity_position: position,
                unreplied_count: 0,
                last_inbound_position: 0,
                message_count: 0,
                topic: None,
                rating: None,
                rating_comment: None,
                search_text: String::new(),
                accepted_by: Vec::new(),
                waiting_since: None,
                bot_active: false,
                updated_position: position,
                previous_conversation_id: None,
                previous_agent: None,
            });
            self.changed.insert(key);
        }
    }

    /// Folds one conversation event.
    pub fn conversation(&mut self, event: &EventEnvelope, conversation: &E) {
        let key = (event.tenant_id.0, event.stream_id.0);
        let at = event.recorded_at;
        let position = event.position.0;
        self.position = position;
        match conversation {
            E::ConversationStarted { .. } => self.start(key, event, conversation),
            E::MessageReceived { .. } | E::MessageSent { .. } => {
                self.message(key, at, position, conversation);
            }
            E::HandedOffToHuman { .. } | E::PrivateNoteAdded { .. } => {
                self.update(key, |row| row.touch(at, position));
            }
            E::InternalMessageSent { .. }
            | E::InternalMessageRead { .. }
            | E::InternalThreadDeleted { .. } => {
                self.internal_message(key, at, position, conversation);
            }
            E::ConversationAssigned { assignees, .. } => self.update(key, |row| {
                row.assignees = assignees.iter().map(|user| user.0).collect();
            }),
            E::ConversationRejected { user } | E::ConversationLeft { user } => {
                self.update(key, |row| {
                    row.assignees.retain(|assignee| *assignee != user.0);
                    row.accepted_by.retain(|accepted| *accepted != user.0);
                });
            }
            E::ContactReturned {
                previous_conversation_id,
                previous_agent,
            } => self.update(key, |row| {
                row.previous_conversation_id = Some(*previous_conversation_id);
                row.previous_agent = previous_agent.map(|agent| agent.0);
            }),
            E::BotEnabled { .. } => self.update(key, |row| row.bot_active = true),
            E::BotDisabled { .. } => self.update(key, |row| row.bot_active = false),
            E::ConversationAccepted { user } => self.update(key, |row| {
                if !row.accepted_by.contains(&user.0) {
                    row.accepted_by.push(user.0);
                }
            }),
            E::VisibilityChanged { visible_to } => {
                self.update(key, |row| row.visible_to = user_ids(visible_to));
            }
            E::ConversationRead { user, .. } => self.mark_read(key, user.0, position),
            E::ConversationResolved {} => {
                self.update(key, |row| row.set_status(ConversationStatus::Resolved, at));
            }
            E::ConversationReopened {} => {
                self.update(key, |row| row.set_status(ConversationStatus::Open, at));
            }
            E::ConversationClosed { .. } => {
                self.update(key, |row| row.set_status(ConversationStatus::Closed, at));
            }
            E::ConversationDeleted {} => {
                self.rows.insert(key, None);
                self.changed.remove(&key);
                self.deleted.insert(key);
                self.reads
                    .retain(|(conversation, _), _| *conversation != key);
                self.unread_internal
                    .retain(|(conversation, _), _| *conversation != key);
            }
            E::ConversationRated { score, comment } => self.update(key, |row| {
                row.rating = Some(i16::from(*score));
                row.rating_comment = comment.clone();
            }),
            E::TopicSet { topic } => self.update(key, |row| row.topic = Some(topic.clone())),
            E::InvoiceAttached { .. } | E::InvoicePaid { .. } => {}
        }
    }

    /// A customer's message, or the team's (or the bot's) reply.
    fn message(&mut self, key: ConversationKey, at: DateTime<Utc>, position: i64, event: &E) {
        match event {
            E::MessageReceived {
                channel, content, ..
            } => self.update(key, |row| {
                row.add_channel(*channel);
                row.waiting_since.get_or_insert(at);
                row.unreplied_count += 1;
                row.message_count += 1;
                row.first_inbound_at.get_or_insert(at);
                row.last_inbound_position = position;
                row.touch(at, position);
                row.add_search_text(content);
            }),
            E::MessageSent {
                channel,
                sender_kind,
                author,
                content,
                ..
            } => {
                let human = sender_kind.is_human();
                self.update(key, |row| {
                    row.add_channel(*channel);
                    if human {
                        row.unreplied_count = 0;
                        row.waiting_since = None;
                        if row.first_response_seconds.is_none() {
                            row.first_response_seconds =
                                row.first_inbound_at.map(|first| seconds_between(first, at));
                        }
                    }
                    row.message_count += 1;
                    row.touch(at, position);
                    row.add_search_text(content);
                });
                if let Some(author) = author {
                    self.mark_read(key, author.0, position);
                }
            }
            _ => {}
        }
    }

    /// An internal message sent (unread by its recipient) or read.
    fn internal_message(
        &mut self,
        key: ConversationKey,
        at: DateTime<Utc>,
        position: i64,
        event: &E,
    ) {
        match event {
            E::InternalMessageSent {
                internal_message_id,
                from,
                to,
                ..
            } => {
                self.update(key, |row| row.touch(at, position));
                // A note to oneself waits for nobody.
                if from != to {
                    self.unread_internal
                        .insert((key, *internal_message_id), Some(to.0));
                }
            }
            E::InternalMessageRead {
                internal_message_id,
                ..
            } => {
                self.unread_internal
                    .insert((key, *internal_message_id), None);
            }
            E::InternalThreadDeleted { message_ids, .. } => {
                for id in message_ids {
                    self.unread_internal.insert((key, *id), None);
                }
            }
            _ => {}
        }
    }

    /// Changes the row if the conversation has one (events of a conversation the inbox
    /// never saw start, or deleted, change nothing).
    fn update(&mut self, key: ConversationKey, change: impl FnOnce(&mut ConversationRow)) {
        if let Some(Some(row)) = self.rows.get_mut(&key) {
            change(row);
            row.updated_position = self.position;
            self.changed.insert(key);
        }
    }

    fn mark_read(&mut self, key: ConversationKey, user: Uuid, position: i64) {
        let mark = self.reads.entry((key, user)).or_insert(position);
        *mark = (*mark).max(position);
    }

    /// Conversations to delete (with their read marks) before anything is written.
    pub fn deleted(&self) -> impl Iterator<Item = &ConversationKey> {
        self.deleted.iter()
    }

    /// The rows to write: every changed conversation that has a row.
    pub fn changed_rows(&self) -> Vec<&ConversationRow> {
        self.changed
            .iter()
            .filter_map(|key| self.rows.get(key).and_then(Option::as_ref))
            .collect()
    }

    pub fn reads(&self) -> impl Iterator<Item = (&(ConversationKey, Uuid), &i64)> {
        self.reads.iter()
    }

    pub fn contacts(&self) -> impl Iterator<Item = (&(Uuid, Uuid), &String)> {
        self.contacts.iter()
    }

    pub fn user_groups(&self) -> impl Iterator<Item = (&(Uuid, Uuid), &Vec<Uuid>)> {
        self.user_groups.iter()
    }

    /// Internal messages now unread (with their recipient) or read (`None`).
    pub fn unread_internal(
        &self,
    ) -> impl Iterator<Item = (&(ConversationKey, Uuid), &Option<Uuid>)> {
        self.unread_internal.iter()
    }
}

/// Whole seconds from `first` to `then`, rounded, never negative.
fn seconds_between(first: DateTime<Utc>, then: DateTime<Utc>) -> i64 {
    let micros = (then - first).num_microseconds().unwrap_or(i64::MAX);
    ((micros as f64 / 1e6).round() as i64).max(0)
}

#[cfg(test)]
mod tests;
