//! Which payload fields are personal data (README "Erasure"). The log stores them sealed
//! under a key of their stream — the conversation's, or the contact's — and destroying
//! that key erases them everywhere the stored event went, without rewriting the log.
//!
//! Sealed: what customers and staff write (messages, notes, internal messages, chat
//! messages, ratings' comments), contacts' details, and users' names and emails.
//! Everything else stays in clear so analytics can count and join without personal
//! data: ids, channels, sender kinds, times, scores, amounts.

use serde_json::{Value, json};

/// What erased text reads as, in history, exports and anywhere else.
pub const ERASED: &str = "[erased]";

/// The stored payload field that holds the sealed personal fields.
pub const SEALED_FIELD: &str = "sealed";

/// One personal field of an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalField {
    pub name: &'static str,
    shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Text,
    MessageContent,
}

impl PersonalField {
    const fn text(name: &'static str) -> Self {
        Self {
            name,
            shape: Shape::Text,
        }
    }

    const fn content(name: &'static str) -> Self {
        Self {
            name,
            shape: Shape::MessageContent,
        }
    }

    /// The value that stands in for the field once its key is destroyed: still the
    /// field's type, so every reader decodes the event, and visibly erased.
    pub fn placeholder(&self) -> Value {
        match self.shape {
            Shape::Text => Value::from(ERASED),
            Shape::MessageContent => json!({ "text": ERASED }),
        }
    }
}

const MESSAGE: &[PersonalField] = &[PersonalField::content("content")];
const TEXT: &[PersonalField] = &[PersonalField::text("text")];
const COMMENT: &[PersonalField] = &[PersonalField::text("comment")];
const REASON: &[PersonalField] = &[PersonalField::text("reason")];
const NOTE: &[PersonalField] = &[PersonalField::text("personal_note")];
const USER: &[PersonalField] = &[PersonalField::text("name"), PersonalField::text("email")];
const ITEM: &[PersonalField] = &[PersonalField::text("title"), PersonalField::text("summary")];
const CONTACT: &[PersonalField] = &[
    PersonalField::text("name"),
    PersonalField::text("firstname"),
    PersonalField::text("lastname"),
    PersonalField::text("email"),
    PersonalField::text("phone"),
];

/// The personal fields of an event type of a stream type; empty when it has none.
pub fn personal_fields(stream_type: &str, event_type: &str) -> &'static [PersonalField] {
    match (stream_type, event_type) {
        ("conversation", "MessageReceived" | "MessageSent") => MESSAGE,
        ("conversation", "PrivateNoteAdded" | "InternalMessageSent") => TEXT,
        ("conversation", "ConversationRated") => COMMENT,
        ("conversation", "HandedOffToHuman") => REASON,
        ("directory", "ContactUpserted") => CONTACT,
        ("directory", "UserUpserted") => USER,
        ("directory", "ItemRegistered") => ITEM,
        ("chat_channel", "MessagePosted") => MESSAGE,
        ("chat_channel", "CardShared") => TEXT,
        ("chat_channel", "MemberPreferencesSet") => NOTE,
        _ => &[],
    }
}

/// True when events of this stream type may carry personal fields, so the stream has a key.
pub fn stream_has_personal_data(stream_type: &str, event_type: &str) -> bool {
    !personal_fields(stream_type, event_type).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ConversationEvent, DirectoryEvent, from_stored};

    #[test]
    fn placeholders_keep_every_event_decodable() {
        let mut payload = serde_json::json!({
            "message_id": uuid::Uuid::nil(), "channel": "sms", "external_id": null,
            "received_at": "2026-11-21T08:00:00Z",
        });
        for field in personal_fields("conversation", "MessageReceived") {
            payload[field.name] = field.placeholder();
        }
        let event: ConversationEvent = from_stored("MessageReceived", &payload).unwrap();
        let ConversationEvent::MessageReceived { content, .. } = event else {
            panic!("decoded as another event");
        };
        assert_eq!(content.text.as_deref(), Some(ERASED));

        let mut contact = serde_json::json!({"country": "PT", "group_id": null});
        for field in personal_fields("directory", "ContactUpserted") {
            contact[field.name] = field.placeholder();
        }
        assert!(from_stored::<DirectoryEvent>("ContactUpserted", &contact).is_ok());
    }

    #[test]
    fn events_without_personal_data_have_no_personal_fields() {
        assert!(personal_fields("conversation", "ConversationAssigned").is_empty());
        assert!(personal_fields("directory", "GroupUpserted").is_empty());
        assert!(stream_has_personal_data("directory", "UserUpserted"));
        assert!(stream_has_personal_data("chat_channel", "MessagePosted"));
        assert!(stream_has_personal_data("conversation", "MessageSent"));
    }
}
