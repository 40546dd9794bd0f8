//! The case file: a conversation's timeline and the header an export prints above it
//! (contact, channels, status, assignees, period, and the hash-chain head the printout
//! can be checked against). Pure, so the live projection and the auditors' `as_of`
//! replay from the log build it with the same code, event by event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use caselog_schemas::EventEnvelope;

use crate::ConversationStatus;
use caselog_schemas::events::{Channel, ConversationEvent as E};

/// One timeline entry: a conversation event with its place, time and actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub position: i64,
    pub stream_version: i64,
    pub at: DateTime<Utc>,
    /// `{user_id, role}`; `user_id` is null for the system.
    pub actor: Value,
    /// The event type in snake case: `message_received`, `conversation_assigned`…
    pub kind: String,
    /// The event's payload, readable (personal fields opened, or placeholders once erased).
    pub data: Value,
}

impl TimelineEntry {
    /// The entry for one readable conversation event.
    pub fn of(event: &EventEnvelope) -> Self {
        Self {
            position: event.position.0,
            stream_version: event.stream_version.0,
            at: event.recorded_at,
            actor: serde_json::to_value(&event.metadata.actor).unwrap_or(Value::Null),
            kind: entry_kind(&event.event_type),
            data: event.payload.clone(),
        }
    }

    /// Internal messages and notes never reach the customer; an export marks them so.
    pub fn is_internal(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "private_note_added"
                | "internal_message_sent"
                | "internal_message_read"
                | "internal_thread_deleted"
        )
    }
}

/// `MessageReceived` -> `message_received`.
pub fn entry_kind(event_type: &str) -> String {
    let mut kind = String::with_capacity(event_type.len() + 4);
    for (index, character) in event_type.char_indices() {
        if character.is_ascii_uppercase() {
            if index > 0 {
                kind.push('_');
            }
            kind.push(character.to_ascii_lowercase());
        } else {
            kind.push(character);
        }
    }
    kind
}

/// What an export prints above the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseHeader {
    pub conversation_id: Uuid,
    pub tenant_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub channels: Vec<Channel>,
    /// `open`, `resolved`, `closed` or `deleted`.
    pub status: ConversationStatus,
    pub assignees: Vec<Uuid>,
    pub visible_to: Option<Vec<Uuid>>,
    pub topic: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    /// The stream version and log position this header reflects…
    pub stream_version: i64,
    pub position: i64,
    /// …and the hash of the event there: the chain head a printout shows.
    pub head_hash: String,
}

impl CaseHeader {
    /// Folds one readable conversation event into the header.
    pub fn apply(&mut self, event: &EventEnvelope, decoded: &E) {
        self.conversation_id = event.stream_id.0;
        self.tenant_id = event.tenant_id.0;
        self.stream_version = event.stream_version.0;
        self.position = event.position.0;
        self.head_hash = event.hash.clone();
        self.last_event_at = Some(event.recorded_at);
        let mut channel_used = |channel: &Channel| {
            if !self.channels.contains(channel) {
                self.channels.push(*channel);
            }
        };
        match decoded {
            E::ConversationStarted {
                contact_id,
                group_id,
                channel,
                assignees,
                visible_to,
                ..
            } => {
                channel_used(channel);
                self.contact_id = Some(*contact_id);
                self.group_id = *group_id;
                self.assignees = assignees.iter().map(|user| user.0).collect();
                self.visible_to = ids(visible_to);
                self.status = ConversationStatus::Open;
                self.started_at = Some(event.recorded_at);
            }
            E::MessageReceived { channel, .. } | E::MessageSent { channel, .. } => {
                channel_used(channel);
            }
            E::ConversationAssigned { assignees, .. } => {
                self.assignees = assignees.iter().map(|user| user.0).collect();
            }
            E::ConversationLeft { user } | E::ConversationRejected { user } => {
                self.assignees.retain(|assignee| *assignee != user.0);
            }
            E::VisibilityChanged { visible_to } => self.visible_to = ids(visible_to),
            E::ConversationResolved {} => self.status = ConversationStatus::Resolved,
            E::ConversationClosed { .. } => self.status = ConversationStatus::Closed,
            E::ConversationReopened {} => self.status = ConversationStatus::Open,
            E::ConversationDeleted {} => self.status = ConversationStatus::Deleted,
            E::TopicSet { topic } => self.topic = Some(topic.clone()),
            _ => {}
        }
    }
}

fn ids(users: &Option<Vec<caselog_schemas::UserId>>) -> Option<Vec<Uuid>> {
    users
        .as_ref()
        .map(|list| list.iter().map(|user| user.0).collect())
}

/// A whole case file: the header and every entry, in stream order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CaseFile {
    pub header: CaseHeader,
    pub entries: Vec<TimelineEntry>,
}

impl CaseFile {
    /// Folds readable events of one conversation, in version order.
    pub fn fold(events: &[EventEnvelope]) -> Result<Self, serde_json::Error> {
        let mut file = CaseFile::default();
        for event in events {
            let decoded: E =
                caselog_schemas::events::from_stored(&event.event_type, &event.payload)?;
            file.header.apply(event, &decoded);
            file.entries.push(TimelineEntry::of(event));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_entry_kind_is_the_event_type_in_snake_case() {
        assert_eq!(super::entry_kind("MessageReceived"), "message_received");
        assert_eq!(super::entry_kind("TopicSet"), "topic_set");
    }
}
