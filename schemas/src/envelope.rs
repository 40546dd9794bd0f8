//! The event envelope: one stored event with everything a reader needs to place it
//! (tenant, stream, version, position), interpret it (type, schema version) and trust
//! it (the hash chain).
//!
//! The same envelope is what `psql` shows, what the relay publishes as MessagePack,
//! and what projectors consume.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{EventId, Position, StreamId, StreamType, StreamVersion, TenantId, UserId};

/// Who caused an event: a user acting through the API, or the system itself
/// (the auto-close timer, for example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Actor {
    /// `None` for the system.
    pub user_id: Option<UserId>,
    /// `owner`, `admin`, `supervisor`, `agent`, `auditor`, `integration` or `system`.
    pub role: String,
}

impl Actor {
    pub fn system() -> Self {
        Self {
            user_id: None,
            role: "system".to_owned(),
        }
    }
}

/// W3C trace context of the request that caused the event, so work done later on the
/// event (publishing, projecting) joins the same trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TraceContext {
    pub traceparent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

/// Facts about how an event came to be, as opposed to what happened (the payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventMetadata {
    pub actor: Actor,
    /// The command that produced the event; every event of one append shares it.
    pub command_id: uuid::Uuid,
    /// Groups every event that follows from one outside request.
    pub correlation_id: uuid::Uuid,
    /// The event or command that directly caused this one.
    pub causation_id: uuid::Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceContext>,
}

impl EventMetadata {
    /// Metadata for a command that starts a new causal chain.
    pub fn for_new_command(actor: Actor) -> Self {
        let command_id = uuid::Uuid::now_v7();
        Self {
            actor,
            command_id,
            correlation_id: command_id,
            causation_id: command_id,
            trace: None,
        }
    }
}

/// One event as stored in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventEnvelope {
    pub position: Position,
    pub event_id: EventId,
    pub tenant_id: TenantId,
    pub stream_type: StreamType,
    pub stream_id: StreamId,
    pub stream_version: StreamVersion,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
    /// Hex SHA-256 of the previous event of the same stream (64 zeros for version 1).
    pub previous_hash: String,
    /// Hex SHA-256 over the canonical encoding of this event (see `caselog_eventlog::hash`).
    pub hash: String,
    /// Hex link of this event into its tenant's chain:
    /// SHA-256("caselog-tenant-v1" || the tenant's previous `tenant_hash` || `hash`).
    pub tenant_hash: String,
    /// Hex link of this event into the whole log's chain:
    /// SHA-256("caselog-log-v1" || the previous position's `log_hash` || `hash`).
    pub log_hash: String,
}
