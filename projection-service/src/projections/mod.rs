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

pub use caselog_read_model::Projection;

/// What the projection service does with a [`Projection`]: apply events to its tables.
pub(crate) trait Projector {
    /// Applies one event to the tables on the connection's `search_path`.
    async fn apply(self, conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError>;
    /// True when [`Projector::apply_batch`] does better than one event at a time.
    fn applies_in_batches(self) -> bool;
    /// Applies consecutive events together; the same rows as applying them one by one.
    async fn apply_batch(
        self,
        conn: &mut PgConnection,
        events: &[EventEnvelope],
    ) -> Result<(), ApplyError>;
}

impl Projector for Projection {
    async fn apply(self, conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
        match self {
            Projection::Inbox => inbox::apply(conn, event).await,
            Projection::History => history::apply(conn, event).await,
            Projection::InternalMessages => internal_messages::apply(conn, event).await,
            Projection::Directory => directory::apply(conn, event).await,
            Projection::Chat => chat::apply(conn, event).await,
        }
    }

    fn applies_in_batches(self) -> bool {
        matches!(self, Projection::Inbox | Projection::History)
    }

    async fn apply_batch(
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
