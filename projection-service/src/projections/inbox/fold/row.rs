//! One row of the inbox's `conversations` table and the small changes a fold makes to it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use caselog_read_model::ConversationStatus;
use caselog_schemas::events::{Channel, MessageContent};

/// Enough text to search a conversation by without growing rows without bound.
pub const SEARCH_TEXT_LIMIT: usize = 16 * 1024;

/// One row of `conversations`, field for field (the store writes it back whole).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct ConversationRow {
    pub tenant_id: Uuid,
    pub conversation_id: Uuid,
    pub contact_id: Uuid,
    pub group_id: Option<Uuid>,
    pub channels: Vec<String>,
    pub status: ConversationStatus,
    pub assignees: Vec<Uuid>,
    pub visible_to: Option<Vec<Uuid>>,
    pub started_at: DateTime<Utc>,
    pub first_inbound_at: Option<DateTime<Utc>>,
    pub first_response_seconds: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub last_activity_position: i64,
    pub unreplied_count: i32,
    pub last_inbound_position: i64,
    pub message_count: i32,
    pub topic: Option<String>,
    pub rating: Option<i16>,
    pub rating_comment: Option<String>,
    pub search_text: String,
    /// Who accepted the conversation (and has not rejected or left it since).
    pub accepted_by: Vec<Uuid>,
    /// When the oldest customer message no human has answered yet arrived.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Whether the channel's chatbot answers it.
    pub bot_active: bool,
    /// The position of the last event that changed the row.
    pub updated_position: i64,
    /// A returning contact's previous conversation, and the agent who handled it.
    pub previous_conversation_id: Option<Uuid>,
    pub previous_agent: Option<Uuid>,
}

impl ConversationRow {
    pub(super) fn touch(&mut self, at: DateTime<Utc>, position: i64) {
        self.last_activity_at = at;
        self.last_activity_position = position;
    }

    pub(super) fn add_channel(&mut self, channel: Channel) {
        let name = channel.as_str();
        if !self.channels.iter().any(|known| known == name) {
            self.channels.push(name.to_owned());
        }
    }

    pub(super) fn set_status(&mut self, status: ConversationStatus, at: DateTime<Utc>) {
        self.status = status;
        self.closed_at = (status == ConversationStatus::Closed).then_some(at);
    }

    /// Lower-cased as the search lowers what is searched for, and bounded in characters.
    pub(super) fn add_search_text(&mut self, content: &MessageContent) {
        self.search_text.push(' ');
        self.search_text
            .push_str(&searchable(content).to_lowercase());
        if let Some((cut, _)) = self.search_text.char_indices().nth(SEARCH_TEXT_LIMIT) {
            self.search_text.truncate(cut);
        }
    }
}

fn searchable(content: &MessageContent) -> String {
    let mut text = content.text.clone().unwrap_or_default();
    for attachment in &content.attachments {
        text.push(' ');
        text.push_str(&attachment.name);
    }
    text
}
