//! Signs the checkpoints that are due, at an interval. Every command-service instance
//! runs one; a transaction-scoped advisory lock lets one sign at a time, so a position
//! is never signed twice.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tokio_util::sync::CancellationToken;

use caselog_platform::retry::{PollStep, Progress, poll_until_shutdown};
use caselog_schemas::events::{CheckpointEvent, SignedCheckpoint, to_stored};
use caselog_schemas::{Actor, EventMetadata, Position, StreamId, StreamType, TenantId};

use super::{CheckpointSigner, STREAM_TYPE};
use crate::append::{EventLog, WRITER_LOCK_KEY};
use crate::model::{AppendRequest, ExpectedVersion, NewEvent, StreamRef};

/// The checkpointer's lock, next to the writer's.
const CHECKPOINTER_LOCK_KEY: i64 = WRITER_LOCK_KEY + 1;

pub struct Checkpointer {
    log: EventLog,
    signer: Arc<CheckpointSigner>,
}

impl Checkpointer {
    pub fn new(log: EventLog, signer: Arc<CheckpointSigner>) -> Self {
        Self { log, signer }
    }

    /// Signs what is due every `interval` until `shutdown`.
    pub async fn run(self, interval: Duration, shutdown: CancellationToken) {
        poll_until_shutdown("checkpointer", interval, &shutdown, &mut Signing(&self)).await;
    }

    /// Signs and appends a checkpoint for every tenant whose log moved since the last
    /// one; returns how many. Zero when another instance is signing.
    pub async fn sign_due(&self) -> anyhow::Result<usize> {
        let mut lock = self.log.pool().begin().await?;
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(CHECKPOINTER_LOCK_KEY)
            .fetch_one(&mut *lock)
            .await?;
        if !locked {
            return Ok(0);
        }
        let due = sqlx::query(include_str!("sql/due.sql"))
            .fetch_all(&mut *lock)
            .await?;
        let signed_at = crate::append::now_in_micros();
        let mut appends = Vec::with_capacity(due.len());
        for row in &due {
            let tenant_id = TenantId(row.try_get("tenant_id")?);
            let unsigned = SignedCheckpoint {
                position: Position(row.try_get("position")?),
                log_hash: hex::encode(row.try_get::<Vec<u8>, _>("log_hash")?),
                tenant_position: Position(row.try_get("tenant_position")?),
                tenant_hash: hex::encode(row.try_get::<Vec<u8>, _>("tenant_hash")?),
                signed_at,
                key_id: String::new(),
                signature: String::new(),
            };
            let checkpoint = self.signer.sign(tenant_id, unsigned);
            appends.push(self.log.append(request(tenant_id, checkpoint)));
        }
        // Concurrent appends share one group commit.
        for outcome in futures::future::join_all(appends).await {
            outcome?;
        }
        lock.commit().await?;
        if !due.is_empty() {
            metrics::counter!("caselog_checkpoints_signed_total").increment(due.len() as u64);
        }
        Ok(due.len())
    }
}

/// The append of one tenant's checkpoint, as the system.
fn request(tenant_id: TenantId, checkpoint: SignedCheckpoint) -> AppendRequest {
    let (event_type, payload) = to_stored(&CheckpointEvent::CheckpointSigned(checkpoint));
    AppendRequest {
        stream: StreamRef {
            tenant_id,
            stream_type: StreamType::new(STREAM_TYPE).expect("a valid stream type"),
            stream_id: StreamId(tenant_id.0),
        },
        expected_version: ExpectedVersion::Any,
        events: vec![NewEvent {
            event_type,
            schema_version: 1,
            payload,
        }],
        metadata: EventMetadata::for_new_command(Actor::system()),
        idempotency_key: None,
        request_fingerprint: None,
        erases_stream: false,
    }
}

struct Signing<'a>(&'a Checkpointer);

impl PollStep for Signing<'_> {
    async fn step(&mut self) -> anyhow::Result<Progress> {
        self.0.sign_due().await?;
        Ok(Progress::Idle)
    }
}
