//! The common case in one transaction. A batch that each projection can take whole —
//! it follows that projection's checkpoint without a gap and holds none of its poisoned
//! events — is applied to every projection at once: one `BEGIN` taking every writer
//! lock, one read of the checkpoints, one of the stream keys, each projector's own
//! statements, one statement moving every checkpoint, one commit. Before this, each
//! projection paid for its own transaction, checkpoint reads and writes, key reads and
//! decryption of the same events.
//!
//! Anything else — a gap to fill from the log, a poisoned event, an error, a panic —
//! rolls the transaction back and leaves the batch to each projection's own writer
//! ([`super::live::writer`]), which retries, fills gaps and finds the event to blame.

use std::collections::HashMap;

use sqlx::PgPool;
use uuid::Uuid;

use caselog_eventlog::erasure::make_readable_with;
use caselog_schemas::EventEnvelope;

use super::batch::{self, BatchError, Poisoned, Progress};
use crate::projections::{Projection, Projector};

/// Applies `events` (sorted by position) to every projection in one transaction and
/// returns each projection's new checkpoint; `None` when the batch is not simple
/// enough for that, and nothing was written.
pub async fn apply(
    pool: &PgPool,
    events: &[EventEnvelope],
    poisoned: &[&Poisoned],
) -> Result<Option<Vec<(Projection, i64)>>, BatchError> {
    let mut tx = batch::begin_locked(pool, &Projection::ALL, None).await?;
    let checkpoints = batch::live_checkpoints(&mut *tx).await?;
    let mut work = Vec::new();
    for (projection, checkpoint) in Projection::ALL.into_iter().zip(checkpoints) {
        let first = events.partition_point(|event| event.position.0 <= checkpoint);
        let fresh = &events[first..];
        if fresh.is_empty() {
            continue;
        }
        let follows = fresh
            .iter()
            .enumerate()
            .all(|(i, event)| event.position.0 == checkpoint + 1 + i as i64);
        let poisoned = poisoned[projection.index()];
        if !follows || fresh.iter().any(|e| poisoned.contains_key(&e.position.0)) {
            return Ok(None);
        }
        work.push((projection, first));
    }
    if work.is_empty() {
        return Ok(Some(Vec::new()));
    }
    // Opened once for every projection (the keys read inside this transaction).
    let keys = batch::stream_keys(&mut tx, events).await?;
    let mut readable = events.to_vec();
    if make_readable_with(&keys, &mut readable).is_err() {
        return Ok(None);
    }
    readable
        .iter()
        .for_each(super::fault_injection::panic_if_marked);

    let mut progress = Vec::with_capacity(work.len());
    for (projection, first) in work {
        let fresh = &readable[first..];
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET LOCAL search_path TO {}",
            projection.schema()
        )))
        .execute(&mut *tx)
        .await?;
        let failed = |error| BatchError::Event {
            position: fresh[0].position.0,
            error,
        };
        if projection.applies_in_batches() {
            projection
                .apply_batch(&mut tx, fresh)
                .await
                .map_err(failed)?;
        } else {
            for event in fresh {
                projection.apply(&mut tx, event).await.map_err(failed)?;
            }
        }
        let mut tenants: HashMap<Uuid, i64> = HashMap::new();
        for event in fresh {
            tenants.insert(event.tenant_id.0, event.position.0);
        }
        progress.push(Progress {
            projection,
            schema: Some(projection.schema()),
            position: fresh[fresh.len() - 1].position.0,
            tenants,
        });
    }
    batch::record_progress(&mut tx, &progress).await?;
    tx.commit().await?;
    Ok(Some(
        progress
            .into_iter()
            .map(|step| (step.projection, step.position))
            .collect(),
    ))
}
