//! Events of a tenant's `checkpoint` stream (one per tenant; its id is the tenant id):
//! the log's chains as they stood at a position, signed with the deployment's Ed25519
//! checkpoint key (README "Trusting the log"). They travel like every other event — in
//! the log, on NATS under the tenant's subjects, in the raw feed — so a copy outside the
//! database can later prove what the log held.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::Position;

/// Events of a `checkpoint` stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum CheckpointEvent {
    /// The log and this tenant's chain as they stood at `position`, signed.
    CheckpointSigned(SignedCheckpoint),
}

/// One signed checkpoint. The signature covers the compact JSON array
/// `["caselog-checkpoint-v1", tenant_id, position, log_hash, tenant_position,
/// tenant_hash, signed_at]` (times as RFC 3339 UTC with microseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SignedCheckpoint {
    /// The log position the checkpoint covers: everything up to and including it.
    pub position: Position,
    /// Hex `log_hash` of the event at `position`.
    pub log_hash: String,
    /// The position of the tenant's last event at or before `position`.
    pub tenant_position: Position,
    /// Hex `tenant_hash` of the event at `tenant_position`.
    pub tenant_hash: String,
    pub signed_at: DateTime<Utc>,
    /// First 16 hex digits of the SHA-256 of the signing key's public key.
    pub key_id: String,
    /// Base64 Ed25519 signature over the statement above.
    pub signature: String,
}
