//! The event catalogue analytics and projectors see (README "Subscribing to caselog events"). Each stream type has
//! one enum; a variant's name is the stored `event_type` and its fields are the payload.
//!
//! Events are facts: past tense, self-contained, never changed once published. A new
//! shape is a new schema version with an upcaster, not an edit.

mod access;
mod chat;
mod checkpoint;
mod content;
mod conversation;
mod directory;
pub mod personal;
pub mod upcast;

pub use access::{AccessEvent, RecordKind};
pub use chat::{
    CardDescription, CardEntityType, ChannelAvatar, ChannelKind, ChannelRole, ChatChannelEvent,
    ChatReaderEvent, NotificationLevel, direct_message_id,
};
pub use checkpoint::{CheckpointEvent, SignedCheckpoint};
pub use content::{Attachment, Channel, MessageContent, SenderKind, Voice};
pub use conversation::{CloseReason, ConversationEvent, StartedBy};
pub use directory::{
    DeliveryPreference, DirectoryEvent, ItemAccess, NotificationPreferences, TenantSettings,
    item_id, snippet_library_id,
};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use upcast::current_schema_version;

/// Splits an adjacently tagged event into its stored type name and payload.
pub fn to_stored<E: Serialize>(event: &E) -> (String, Value) {
    let Value::Object(mut tagged) = serde_json::to_value(event).expect("events always serialise")
    else {
        unreachable!("events are adjacently tagged objects");
    };
    let Some(Value::String(event_type)) = tagged.remove("event_type") else {
        unreachable!("events carry their event_type tag");
    };
    (
        event_type,
        tagged
            .remove("payload")
            .unwrap_or(Value::Object(Default::default())),
    )
}

/// Rebuilds an event from its stored type name and payload.
pub fn from_stored<E: DeserializeOwned>(
    event_type: &str,
    payload: &Value,
) -> Result<E, serde_json::Error> {
    serde_json::from_value(serde_json::json!({ "event_type": event_type, "payload": payload }))
}
