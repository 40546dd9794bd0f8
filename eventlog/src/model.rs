//! What goes into the log (`AppendRequest`) and what comes back (`AppendOutcome`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use caselog_schemas::{
    EventId, EventMetadata, Position, StreamId, StreamType, StreamVersion, TenantId,
};

/// One stream: the unit of consistency. Appends check and advance its version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StreamRef {
    pub tenant_id: TenantId,
    pub stream_type: StreamType,
    pub stream_id: StreamId,
}

#[cfg(test)]
impl StreamRef {
    /// A new conversation stream of a new tenant, for unit tests.
    pub(crate) fn new_conversation() -> Self {
        Self {
            tenant_id: TenantId::new_v7(),
            stream_type: StreamType::new("conversation").unwrap(),
            stream_id: StreamId::new_v7(),
        }
    }
}

/// The stream version the caller decided against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds (for commands that cannot conflict).
    Any,
    /// The stream must be exactly at this version; `StreamVersion::NONE` means "new stream".
    Exact(StreamVersion),
}

/// An event the domain produced, not yet stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: String,
    pub schema_version: i32,
    pub payload: Value,
}

/// Everything one command appends: all of it is written, or none of it.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub stream: StreamRef,
    pub expected_version: ExpectedVersion,
    pub events: Vec<NewEvent>,
    pub metadata: EventMetadata,
    /// The client's `Idempotency-Key`, scoped to the tenant.
    pub idempotency_key: Option<String>,
    /// What the request was (who sent what, hashed): the same key with another request
    /// is refused instead of replayed. Stored with the key's outcome.
    pub request_fingerprint: Option<String>,
    /// This append erases the stream: its data key is destroyed in the same
    /// transaction (crypto-shredding, see `erasure`).
    pub erases_stream: bool,
}

/// One stored event as the appender reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendedEvent {
    pub event_id: EventId,
    pub event_type: String,
    pub position: Position,
    pub stream_version: StreamVersion,
}

/// The result of an append; stored with its idempotency key and returned again to
/// a retry with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendOutcome {
    pub stream_id: StreamId,
    /// The stream's version after the append.
    pub stream_version: StreamVersion,
    /// The log position of the append's last event (the log head it reached); for an
    /// append with no events, the log head when it was checked.
    pub position: Position,
    pub events: Vec<AppendedEvent>,
    /// The fingerprint of the request that first used the idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_fingerprint: Option<String>,
    /// True when this outcome was replayed for a repeated idempotency key.
    #[serde(skip)]
    pub replayed: bool,
}
