//! One transaction: apply events in position order and advance the checkpoint.
//!
//! - An event at or below the checkpoint is a duplicate (a redelivery, or one already
//!   applied from the log): skipped.
//! - An event beyond checkpoint + 1 means the consumer missed some: the missing ones
//!   are read from the Postgres log and applied first, so the read model never skips.
//! - An event in `poisoned` (it failed `MAX_ATTEMPTS` times) is recorded in
//!   `projections.dead_letters` instead of applied, and the checkpoint moves past it.
//! - Projectors see events made readable (personal fields opened with their stream's
//!   key, read inside this transaction; placeholders once erased; upcast). A dead
//!   letter keeps the event as stored, sealed.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use caselog_eventlog::erasure::{DataKey, keys::keys_of, make_readable_with};
use caselog_eventlog::{LogReader, StreamRef};
use caselog_schemas::EventEnvelope;

use crate::projections::{ApplyError, Projection, Projector};

/// The events that failed too often, with the last error: position -> (attempts, error).
pub type Poisoned = HashMap<i64, (u32, String)>;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("event at position {position} failed: {error}")]
    Event { position: i64, error: ApplyError },
    #[error(transparent)]
    Infrastructure(#[from] anyhow::Error),
}

impl From<sqlx::Error> for BatchError {
    fn from(error: sqlx::Error) -> Self {
        BatchError::Infrastructure(error.into())
    }
}

/// Opens a projection's transaction in one round trip: `BEGIN`, then — with `lock` —
/// the projection's writer lock (live runners and a rebuild's swap take turns), then
/// points unqualified table names at `schema` ([`begin_locked`]).
pub async fn begin(
    pool: &PgPool,
    projection: Projection,
    schema: &str,
    lock: bool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let locks = if lock {
        std::slice::from_ref(&projection)
    } else {
        &[]
    };
    begin_locked(pool, locks, Some(schema)).await
}

/// Opens a transaction in one round trip: `BEGIN`, the writer lock of each of `locks`
/// (in the order given: every caller passes them in [`Projection::ALL`]'s order, so
/// two writers wait for each other instead of deadlocking), `search_path` set to
/// `schema` if given, and a commit that does not wait for its WAL flush. A read model
/// is derived from the log and its checkpoint commits with its rows, so a crash that
/// loses the last few commits loses them whole and the runner applies those events
/// again. The command side's appends, which are the record, keep waiting for the
/// flush; they do not queue behind the projections' flushes.
pub async fn begin_locked(
    pool: &PgPool,
    locks: &[Projection],
    schema: Option<&str>,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut statement = String::from("BEGIN; ");
    if !locks.is_empty() {
        let keys: Vec<String> = locks
            .iter()
            .map(|projection| format!("pg_advisory_xact_lock({})", projection.writer_lock_key()))
            .collect();
        statement.push_str(&format!("SELECT {}; ", keys.join(", ")));
    }
    if let Some(schema) = schema {
        debug_assert!(schema.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        statement.push_str(&format!("SET LOCAL search_path TO {schema}; "));
    }
    statement.push_str("SET LOCAL synchronous_commit TO off");
    pool.begin_with(sqlx::AssertSqlSafe(statement)).await
}

/// How far each live read model is, in [`Projection::ALL`]'s order, in one statement.
pub async fn live_checkpoints(
    executor: impl sqlx::PgExecutor<'_>,
) -> Result<Vec<i64>, sqlx::Error> {
    let columns: Vec<String> = Projection::ALL
        .iter()
        .map(|projection| format!("(SELECT position FROM {}.checkpoint)", projection.schema()))
        .collect();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}",
        columns.join(", ")
    )))
    .fetch_one(executor)
    .await?;
    (0..columns.len())
        .map(|i| sqlx::Row::try_get(&row, i))
        .collect()
}

/// How far the read model on the connection's `search_path` is.
pub async fn checkpoint(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT position FROM checkpoint")
        .fetch_one(&mut *conn)
        .await
}

/// Applies `events` (sorted by position) on a transaction already pointed at the
/// projection's schema; returns the new checkpoint.
pub async fn apply_in_transaction(
    conn: &mut PgConnection,
    projection: Projection,
    reader: &LogReader,
    events: &[EventEnvelope],
    poisoned: &Poisoned,
) -> Result<i64, BatchError> {
    let start = checkpoint(conn).await?;
    let mut reached = start;
    let mut tenants: HashMap<Uuid, i64> = HashMap::new();
    let keys = stream_keys(conn, events).await?;
    if let Some(last) = apply_whole(conn, projection, events, start, &keys, poisoned).await? {
        reached = last;
        for event in events {
            tenants.insert(event.tenant_id.0, event.position.0);
        }
    }
    for event in events {
        let position = event.position.0;
        if position <= reached {
            continue;
        }
        while reached + 1 < position {
            let missing = reader
                .read_after(
                    caselog_schemas::Position(reached),
                    (position - reached - 1).min(1000),
                )
                .await
                .map_err(anyhow::Error::from)?;
            let Some(last) = missing.last() else {
                return Err(anyhow::anyhow!(
                    "the log has no event after {reached} though {position} was delivered"
                )
                .into());
            };
            let last = last.position.0;
            let missing_keys = stream_keys(conn, &missing).await?;
            for event in &missing {
                apply_one(
                    conn,
                    projection,
                    event,
                    &missing_keys,
                    poisoned,
                    &mut tenants,
                )
                .await?;
            }
            reached = last;
        }
        apply_one(conn, projection, event, &keys, poisoned, &mut tenants).await?;
        reached = position;
    }
    if reached > start {
        record_progress(
            conn,
            &[Progress {
                projection,
                schema: None,
                position: reached,
                tenants,
            }],
        )
        .await?;
    }
    Ok(reached)
}

/// How far a batch took one projection: its checkpoint, and the last position of each
/// tenant it applied.
pub struct Progress {
    pub projection: Projection,
    /// The schema of its tables; `None` for the one on the connection's `search_path`.
    pub schema: Option<&'static str>,
    pub position: i64,
    pub tenants: HashMap<Uuid, i64>,
}

/// Moves each projection's checkpoint and tenant positions, all in one statement, and
/// tells queries waiting on X-Min-Position (`pg_notify`, delivered at commit).
pub async fn record_progress(
    conn: &mut PgConnection,
    progress: &[Progress],
) -> Result<(), sqlx::Error> {
    let mut sql = String::from("WITH ");
    for (i, step) in progress.iter().enumerate() {
        let prefix = step
            .schema
            .map(|schema| format!("{schema}."))
            .unwrap_or_default();
        let p = 2 + 4 * i;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "checkpoint_{i} AS (UPDATE {prefix}checkpoint SET position = ${p} \
               RETURNING pg_notify($1, ${name} || ':' || ${p})), \
             tenants_{i} AS (INSERT INTO {prefix}tenant_positions (tenant_id, position) \
               SELECT * FROM unnest(${ids}::uuid[], ${positions}::bigint[]) \
               ON CONFLICT (tenant_id) DO UPDATE SET position = EXCLUDED.position)",
            name = p + 1,
            ids = p + 2,
            positions = p + 3,
        ));
    }
    sql.push_str(" SELECT 1");
    let mut query =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(caselog_read_model::PROGRESS_CHANNEL);
    for step in progress {
        let (tenant_ids, positions): (Vec<Uuid>, Vec<i64>) = step
            .tenants
            .iter()
            .map(|(id, position)| (*id, *position))
            .unzip();
        query = query
            .bind(step.position)
            .bind(step.projection.name())
            .bind(tenant_ids)
            .bind(positions);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Applies the whole batch at once when the projection does that better and the batch
/// is simple: it follows the checkpoint with no gap and holds no poisoned event. Inside
/// a savepoint, so a failure falls back to one event at a time, which finds the event
/// to blame. Returns the position reached, or `None` when it did not apply the batch.
async fn apply_whole(
    conn: &mut PgConnection,
    projection: Projection,
    events: &[EventEnvelope],
    start: i64,
    keys: &HashMap<StreamRef, DataKey>,
    poisoned: &Poisoned,
) -> Result<Option<i64>, BatchError> {
    let fresh: Vec<&EventEnvelope> = events.iter().filter(|e| e.position.0 > start).collect();
    let contiguous = fresh
        .iter()
        .enumerate()
        .all(|(i, event)| event.position.0 == start + 1 + i as i64);
    if !projection.applies_in_batches()
        || fresh.len() < 2
        || !contiguous
        || fresh
            .iter()
            .any(|event| poisoned.contains_key(&event.position.0))
    {
        return Ok(None);
    }
    let mut readable: Vec<EventEnvelope> = fresh.into_iter().cloned().collect();
    if make_readable_with(keys, &mut readable).is_err() {
        return Ok(None);
    }
    readable
        .iter()
        .for_each(super::fault_injection::panic_if_marked);
    sqlx::query("SAVEPOINT whole_batch")
        .execute(&mut *conn)
        .await?;
    match projection.apply_batch(conn, &readable).await {
        Ok(()) => Ok(readable.last().map(|event| event.position.0)),
        Err(error) => {
            tracing::debug!(projection = projection.name(), error = %error,
                "the batch failed as a whole; applying it event by event");
            sqlx::query("ROLLBACK TO SAVEPOINT whole_batch")
                .execute(&mut *conn)
                .await?;
            Ok(None)
        }
    }
}

/// The keys of the streams whose sealed events are in `events`.
pub(super) async fn stream_keys(
    conn: &mut PgConnection,
    events: &[EventEnvelope],
) -> Result<HashMap<StreamRef, DataKey>, sqlx::Error> {
    let mut streams: Vec<StreamRef> = events
        .iter()
        .filter(|event| event.payload.get("sealed").is_some())
        .map(|event| StreamRef {
            tenant_id: event.tenant_id,
            stream_type: event.stream_type.clone(),
            stream_id: event.stream_id,
        })
        .collect();
    streams.sort_by_key(|stream| (stream.tenant_id, stream.stream_id));
    streams.dedup();
    keys_of(&mut *conn, &streams.iter().collect::<Vec<_>>()).await
}

async fn apply_one(
    conn: &mut PgConnection,
    projection: Projection,
    event: &EventEnvelope,
    keys: &HashMap<StreamRef, DataKey>,
    poisoned: &Poisoned,
    tenants: &mut HashMap<Uuid, i64>,
) -> Result<(), BatchError> {
    let position = event.position.0;
    tenants.insert(event.tenant_id.0, position);
    if let Some((attempts, error)) = poisoned.get(&position) {
        tracing::error!(projection = projection.name(), position, attempts, error = %error,
            "event set aside as a dead letter");
        sqlx::query(
            "INSERT INTO projections.dead_letters \
               (projection, position, event_id, tenant_id, event_type, attempts, error, envelope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (projection, position) DO UPDATE SET attempts = EXCLUDED.attempts, \
               error = EXCLUDED.error",
        )
        .bind(projection.name())
        .bind(position)
        .bind(event.event_id.0)
        .bind(event.tenant_id.0)
        .bind(&event.event_type)
        .bind(*attempts as i32)
        .bind(error)
        .bind(serde_json::to_value(event).map_err(anyhow::Error::from)?)
        .execute(&mut *conn)
        .await?;
        return Ok(());
    }
    let mut readable = [event.clone()];
    make_readable_with(keys, &mut readable).map_err(|error| BatchError::Event {
        position,
        error: ApplyError::Undecodable(error.to_string()),
    })?;
    super::fault_injection::panic_if_marked(&readable[0]);
    projection
        .apply(conn, &readable[0])
        .await
        .map_err(|error| BatchError::Event { position, error })
}
