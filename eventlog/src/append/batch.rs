//! The IO half of a group commit: one transaction that takes the writer lock, reads
//! what `plan_batch` needs, and inserts what it planned.
//!
//! Why a lock held to commit: a sequence value is taken at insert, not at commit, so
//! concurrent appenders would commit out of position order and a tailing reader could
//! skip an event (README "The event log"). With one writer at a time across every process, the
//! positions are contiguous and in commit order. Throughput comes from batching many
//! commands into each transaction, not from parallel commits.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use caselog_schemas::{Position, StreamId, StreamType, StreamVersion, TenantId};

use super::plan::{BatchPlan, LogHead, StoredKey, StreamHead, plan_batch};
use crate::hash::{GENESIS, Hash};
use crate::model::{AppendRequest, StreamRef};

/// `pg_advisory_xact_lock` key of the single log writer ("caselog" in ASCII).
pub const WRITER_LOCK_KEY: i64 = 0x0063_6173_656c_6f67;

/// The channel on which every commit announces the new log head.
pub const HEAD_CHANNEL: &str = "caselog_events";

/// Writes one batch inside the caller's open transaction and returns its plan.
///
/// The caller commits. Until it does, every other writer waits on the lock, so the
/// plan's positions are the ones the commit makes visible.
pub async fn write_batch(
    conn: &mut PgConnection,
    requests: &[&AppendRequest],
) -> Result<BatchPlan, sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITER_LOCK_KEY)
        .execute(&mut *conn)
        .await?;

    let heads = read_heads(conn, requests).await?;
    let stored_keys = read_stored_keys(conn, requests).await?;
    let plan = plan_batch(
        requests,
        heads.log,
        heads.streams,
        heads.tenants,
        stored_keys,
        now_in_micros(),
    );

    if !plan.rows.is_empty() {
        let erased: Vec<&StreamRef> = requests
            .iter()
            .zip(&plan.results)
            .filter(|(request, result)| {
                request.erases_stream && result.as_ref().is_ok_and(|outcome| !outcome.replayed)
            })
            .map(|(request, _)| &request.stream)
            .collect();
        insert_batch(conn, &plan, &erased).await?;
    }
    Ok(plan)
}

/// Postgres keeps microseconds; the hash must cover exactly what is stored.
pub fn now_in_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Where the log, each stream of the batch and each of their tenants ends.
struct Heads {
    log: LogHead,
    streams: HashMap<StreamRef, StreamHead>,
    tenants: HashMap<TenantId, Hash>,
}

async fn read_heads(
    conn: &mut PgConnection,
    requests: &[&AppendRequest],
) -> Result<Heads, sqlx::Error> {
    let mut streams: Vec<&StreamRef> = requests.iter().map(|request| &request.stream).collect();
    streams.sort_by_key(|stream| (stream.tenant_id, stream.stream_id));
    streams.dedup();

    let rows = sqlx::query(include_str!("sql/heads.sql"))
        .bind(streams.iter().map(|s| s.tenant_id.0).collect::<Vec<Uuid>>())
        .bind(
            streams
                .iter()
                .map(|s| s.stream_type.as_str().to_owned())
                .collect::<Vec<String>>(),
        )
        .bind(streams.iter().map(|s| s.stream_id.0).collect::<Vec<Uuid>>())
        .fetch_all(&mut *conn)
        .await?;

    let mut heads = Heads {
        log: LogHead {
            position: Position::BEFORE_FIRST,
            recorded_at: None,
            hash: GENESIS,
        },
        streams: HashMap::with_capacity(streams.len()),
        tenants: HashMap::new(),
    };
    for row in rows {
        let kind: &str = row.try_get("kind")?;
        let hash = hash_of(row.try_get("hash")?)?;
        match kind {
            "log" => {
                heads.log = LogHead {
                    position: Position(row.try_get("position")?),
                    recorded_at: Some(row.try_get("recorded_at")?),
                    hash,
                }
            }
            "tenant" => {
                heads
                    .tenants
                    .insert(TenantId(row.try_get("tenant_id")?), hash);
            }
            _ => {
                let ordinal: i64 = row.try_get("ordinal")?;
                let stream = streams[(ordinal - 1) as usize].clone();
                let version = StreamVersion(row.try_get("stream_version")?);
                heads.streams.insert(stream, StreamHead { version, hash });
            }
        }
    }
    Ok(heads)
}

fn hash_of(bytes: Vec<u8>) -> Result<Hash, sqlx::Error> {
    bytes
        .try_into()
        .map_err(|_| decode_error("a hash is not 32 bytes"))
}

async fn read_stored_keys(
    conn: &mut PgConnection,
    requests: &[&AppendRequest],
) -> Result<HashMap<(TenantId, String), StoredKey>, sqlx::Error> {
    let keyed: Vec<(Uuid, String)> = requests
        .iter()
        .filter_map(|request| {
            request
                .idempotency_key
                .as_ref()
                .map(|key| (request.stream.tenant_id.0, key.clone()))
        })
        .collect();
    if keyed.is_empty() {
        return Ok(HashMap::new());
    }
    let (tenants, keys): (Vec<Uuid>, Vec<String>) = keyed.into_iter().unzip();
    let rows = sqlx::query(include_str!("sql/stored_keys.sql"))
        .bind(tenants)
        .bind(keys)
        .fetch_all(&mut *conn)
        .await?;

    let mut stored = HashMap::with_capacity(rows.len());
    for row in rows {
        let tenant_id = TenantId(row.try_get("tenant_id")?);
        let stream_type: String = row.try_get("stream_type")?;
        let stream = StreamRef {
            tenant_id,
            stream_type: StreamType::new(stream_type).map_err(|e| decode_error(&e.to_string()))?,
            stream_id: StreamId(row.try_get("stream_id")?),
        };
        let outcome: serde_json::Value = row.try_get("outcome")?;
        let outcome = serde_json::from_value(outcome).map_err(|e| decode_error(&e.to_string()))?;
        stored.insert(
            (tenant_id, row.try_get("idempotency_key")?),
            StoredKey { stream, outcome },
        );
    }
    Ok(stored)
}

async fn insert_batch(
    conn: &mut PgConnection,
    plan: &BatchPlan,
    erased: &[&StreamRef],
) -> Result<(), sqlx::Error> {
    let rows = &plan.rows;
    let keys = &plan.keys;
    let outcomes = keys
        .iter()
        .map(|k| serde_json::to_value(&k.outcome).map_err(|e| decode_error(&e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let (events, stored_keys): (i64, i64) = sqlx::query_as(include_str!("sql/insert_batch.sql"))
        .bind(rows.iter().map(|r| r.position.0).collect::<Vec<i64>>())
        .bind(rows.iter().map(|r| r.event_id.0).collect::<Vec<Uuid>>())
        .bind(
            rows.iter()
                .map(|r| r.stream.tenant_id.0)
                .collect::<Vec<Uuid>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.stream.stream_type.as_str().to_owned())
                .collect::<Vec<String>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.stream.stream_id.0)
                .collect::<Vec<Uuid>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.stream_version.0)
                .collect::<Vec<i64>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.event_type.clone())
                .collect::<Vec<String>>(),
        )
        .bind(rows.iter().map(|r| r.schema_version).collect::<Vec<i32>>())
        .bind(
            rows.iter()
                .map(|r| r.payload.clone())
                .collect::<Vec<serde_json::Value>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.metadata.clone())
                .collect::<Vec<serde_json::Value>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.recorded_at)
                .collect::<Vec<DateTime<Utc>>>(),
        )
        .bind(column(rows, |r| &r.previous_hash))
        .bind(column(rows, |r| &r.hash))
        .bind(keys.iter().map(|k| k.tenant_id.0).collect::<Vec<Uuid>>())
        .bind(keys.iter().map(|k| k.key.clone()).collect::<Vec<String>>())
        .bind(
            keys.iter()
                .map(|k| k.stream.stream_type.as_str().to_owned())
                .collect::<Vec<String>>(),
        )
        .bind(
            keys.iter()
                .map(|k| k.stream.stream_id.0)
                .collect::<Vec<Uuid>>(),
        )
        .bind(outcomes)
        .bind(HEAD_CHANNEL)
        .bind(plan.head.0.to_string())
        .bind(erased.iter().map(|s| s.tenant_id.0).collect::<Vec<Uuid>>())
        .bind(
            erased
                .iter()
                .map(|s| s.stream_type.as_str().to_owned())
                .collect::<Vec<String>>(),
        )
        .bind(erased.iter().map(|s| s.stream_id.0).collect::<Vec<Uuid>>())
        .bind(column(rows, |r| &r.tenant_hash))
        .bind(column(rows, |r| &r.log_hash))
        .fetch_one(&mut *conn)
        .await
        .map(|(_, events, keys, _erased): ((), i64, i64, i64)| (events, keys))?;
    debug_assert_eq!(
        (events as usize, stored_keys as usize),
        (rows.len(), keys.len())
    );
    Ok(())
}

/// One hash column of the batch, for `unnest`.
fn column(
    rows: &[super::plan::EventRow],
    hash: impl Fn(&super::plan::EventRow) -> &Hash,
) -> Vec<Vec<u8>> {
    rows.iter().map(|row| hash(row).to_vec()).collect()
}

fn decode_error(reason: &str) -> sqlx::Error {
    sqlx::Error::Decode(reason.to_owned().into())
}
