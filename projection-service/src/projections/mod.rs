//! The projectors: each turns events into rows of its read model. Where the inbox is
//! built: [`inbox`]; the case-history timeline: [`history`]; internal messages per case
//! and recipient: [`internal_messages`]; users, groups, contacts, snippets and settings:
//! [`directory`]; the internal chat and its notification bell: [`chat`].
//!
//! A projector names its tables without a schema: the runner sets `search_path` to the
//! projection's live schema, or to the schema a rebuild is filling. Applying an event
//! twice is prevented by the checkpoint, not by the projector.

mod access;
pub mod chat;
pub mod directory;
pub mod history;
pub mod inbox;
pub mod internal_messages;

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;

/// Why an event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The stored payload does not match its event type: retrying will not help.
    #[error("event does not decode: {0}")]
    Undecodable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl ApplyError {
    /// A failure that retrying will cure: the database's, not the event's.
    pub fn is_transient(&self) -> bool {
        match self {
            ApplyError::Database(error) => caselog_platform::transient::is_transient(error),
            ApplyError::Undecodable(_) => false,
        }
    }
}

impl From<serde_json::Error> for ApplyError {
    fn from(error: serde_json::Error) -> Self {
        ApplyError::Undecodable(error.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    Inbox,
    History,
    InternalMessages,
    Directory,
    Chat,
}

impl Projection {
    pub const ALL: [Projection; 5] = [
        Projection::Inbox,
        Projection::History,
        Projection::InternalMessages,
        Projection::Directory,
        Projection::Chat,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Projection::Inbox => "inbox",
            Projection::History => "history",
            Projection::InternalMessages => "internal_messages",
            Projection::Directory => "directory",
            Projection::Chat => "chat",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The durable JetStream consumer this projection reads through.
    pub fn consumer_name(self) -> String {
        format!("projection-{}", self.name().replace('_', "-"))
    }

    /// The schema holding the live read model.
    pub fn schema(self) -> String {
        format!("rm_{}", self.name())
    }

    /// Serialises every writer of this projection (live runners and a rebuild's swap).
    pub fn lock_key(self) -> i64 {
        0x7072_6f6a_0000_0000 + self as i64
    }

    /// Applies one event to the tables on the connection's `search_path`.
    pub async fn apply(
        self,
        conn: &mut PgConnection,
        event: &EventEnvelope,
    ) -> Result<(), ApplyError> {
        match self {
            Projection::Inbox => inbox::apply(conn, event).await,
            Projection::History => history::apply(conn, event).await,
            Projection::InternalMessages => internal_messages::apply(conn, event).await,
            Projection::Directory => directory::apply(conn, event).await,
            Projection::Chat => chat::apply(conn, event).await,
        }
    }
}

impl Projection {
    /// True when [`Projection::apply_batch`] does better than one event at a time.
    pub fn applies_in_batches(self) -> bool {
        matches!(self, Projection::Inbox | Projection::History)
    }

    /// Applies consecutive events together; the same rows as applying them one by one.
    pub async fn apply_batch(
        self,
        conn: &mut PgConnection,
        events: &[EventEnvelope],
    ) -> Result<(), ApplyError> {
        match self {
            Projection::Inbox => inbox::apply_batch(conn, events).await,
            Projection::History => history::apply_batch(conn, events).await,
            _ => {
                for event in events {
                    self.apply(conn, event).await?;
                }
                Ok(())
            }
        }
    }
}

/// Decodes a conversation event; `None` for events of other streams.
fn conversation_event(
    event: &EventEnvelope,
) -> Result<Option<caselog_schemas::events::ConversationEvent>, ApplyError> {
    if event.stream_type.as_str() != "conversation" {
        return Ok(None);
    }
    Ok(Some(caselog_schemas::events::from_stored(
        &event.event_type,
        &event.payload,
    )?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_projection_reads_through_a_provisioned_consumer() {
        for projection in super::Projection::ALL {
            let name = projection.consumer_name();
            assert!(
                caselog_eventlog::relay::DURABLE_CONSUMERS
                    .iter()
                    .any(|durable| durable.name == name && durable.reader == "projection"),
                "{name} is not provisioned"
            );
        }
    }
}
