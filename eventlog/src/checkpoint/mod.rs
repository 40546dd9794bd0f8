//! Signed checkpoints (README "Trusting the log"): at an interval, each tenant whose log
//! moved gets a `CheckpointSigned` event in its `checkpoint` stream naming the log's
//! position and `log_hash` and the tenant's own head (`tenant_position`,
//! `tenant_hash`), signed with the deployment's Ed25519 key. Published on NATS like
//! every event, a checkpoint outlives any later edit of the database: whoever holds it
//! can show that the log once held exactly that prefix.

mod checkpointer;
pub mod keys;

pub use checkpointer::Checkpointer;
pub use keys::{CheckpointSigner, PublicKey, SignatureError, TrustedKeys};

use serde_json::Value;

use caselog_schemas::TenantId;
use caselog_schemas::events::SignedCheckpoint;

use crate::hash::canonical_time;

/// The `checkpoint` stream type: one stream per tenant, whose id is the tenant id.
pub const STREAM_TYPE: &str = "checkpoint";

const STATEMENT_TAG: &str = "caselog-checkpoint-v1";

/// The bytes a checkpoint's signature covers: the compact JSON array
/// `["caselog-checkpoint-v1", tenant_id, position, log_hash, tenant_position,
/// tenant_hash, signed_at]`, the same in Python's `json.dumps(…, separators=(",", ":"))`.
pub fn statement(tenant_id: TenantId, checkpoint: &SignedCheckpoint) -> Vec<u8> {
    let array = Value::Array(vec![
        Value::from(STATEMENT_TAG),
        Value::from(tenant_id.0.to_string()),
        Value::from(checkpoint.position.0),
        Value::from(checkpoint.log_hash.as_str()),
        Value::from(checkpoint.tenant_position.0),
        Value::from(checkpoint.tenant_hash.as_str()),
        Value::from(canonical_time(checkpoint.signed_at)),
    ]);
    serde_json::to_vec(&array).expect("a serde_json::Value always serialises")
}
