//! Plain reads of `eventlog.events`.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use caselog_schemas::{EventEnvelope, Position, StreamId, StreamType, StreamVersion, TenantId};

use crate::error::ReadError;
use crate::model::StreamRef;

const COLUMNS: &str = "position, event_id, tenant_id, stream_type, stream_id, stream_version, event_type, \
                       schema_version, payload, metadata, recorded_at, previous_hash, hash, tenant_hash, log_hash";

/// Reads the log. Cheap to clone.
#[derive(Clone)]
pub struct LogReader {
    pool: PgPool,
}

impl LogReader {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The position of the newest committed event (0 for an empty log).
    pub async fn head(&self) -> Result<Position, ReadError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM eventlog.events")
            .fetch_one(&self.pool)
            .await?;
        Ok(Position(head.unwrap_or(0)))
    }

    /// Events of every tenant after `after`, in position order.
    pub async fn read_after(
        &self,
        after: Position,
        limit: i64,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events WHERE position > $1 ORDER BY position LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// The events at `positions` that belong to `tenant_id`, in position order (a
    /// webhook delivery reads the events it carries).
    pub async fn read_tenant_positions(
        &self,
        tenant_id: TenantId,
        positions: &[i64],
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events WHERE position = ANY($1) AND tenant_id = $2 \
             ORDER BY position"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(positions)
            .bind(tenant_id.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// The events after `after` up to `through` that `filter` lets through, in
    /// position order.
    pub async fn read_matching(
        &self,
        after: Position,
        through: Position,
        filter: &super::EventFilter,
        limit: i64,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events \
             WHERE position > $1 AND position <= $2 \
               AND ($3::text IS NULL OR stream_type = $3) \
               AND (cardinality($4::text[]) = 0 OR event_type = ANY($4)) \
             ORDER BY position LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after.0)
            .bind(through.0)
            .bind(filter.stream_type)
            .bind(filter.event_types)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// One tenant's events after `after`, in position order.
    pub async fn read_tenant_after(
        &self,
        tenant_id: TenantId,
        after: Position,
        limit: i64,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events WHERE tenant_id = $1 AND position > $2 ORDER BY position LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id.0)
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// A tenant's events of one stream type (of one stream, when `stream_id` is given)
    /// after `after`, in position order.
    pub async fn read_tenant_streams_after(
        &self,
        tenant_id: TenantId,
        stream_type: &StreamType,
        stream_id: Option<StreamId>,
        after: Position,
        limit: i64,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events \
             WHERE tenant_id = $1 AND stream_type = $2 AND ($3::uuid IS NULL OR stream_id = $3) \
               AND position > $4 \
             ORDER BY position LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id.0)
            .bind(stream_type.as_str())
            .bind(stream_id.map(|id| id.0))
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// The events of a tenant's streams of one type, among `stream_ids`, up to and
    /// including `position`, in position order.
    pub async fn read_streams_until(
        &self,
        tenant_id: TenantId,
        stream_type: &StreamType,
        stream_ids: &[uuid::Uuid],
        position: Position,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events \
             WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = ANY($3) AND position <= $4 \
             ORDER BY position"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id.0)
            .bind(stream_type.as_str())
            .bind(stream_ids)
            .bind(position.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// A stream's events after `after_version`, in version order.
    pub async fn read_stream(
        &self,
        stream: &StreamRef,
        after_version: StreamVersion,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events \
             WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 AND stream_version > $4 \
             ORDER BY stream_version"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream.tenant_id.0)
            .bind(stream.stream_type.as_str())
            .bind(stream.stream_id.0)
            .bind(after_version.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// A stream's events up to a position and a time (both inclusive), in version order:
    /// the stream as it stood then. `recorded_at` never goes backwards along the log, so
    /// "up to time T" is a prefix of the stream too.
    pub async fn read_stream_until(
        &self,
        stream: &StreamRef,
        position: Position,
        recorded_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<EventEnvelope>, ReadError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM eventlog.events \
             WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 AND position <= $4 \
               AND ($5::timestamptz IS NULL OR recorded_at <= $5) \
             ORDER BY stream_version"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(stream.tenant_id.0)
            .bind(stream.stream_type.as_str())
            .bind(stream.stream_id.0)
            .bind(position.0)
            .bind(recorded_at)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(envelope_from_row).collect()
    }

    /// The tenant a stream belongs to, for tools given only a stream id.
    pub async fn tenant_of(
        &self,
        stream_type: &StreamType,
        stream_id: StreamId,
    ) -> Result<Option<TenantId>, ReadError> {
        let tenant: Option<uuid::Uuid> = sqlx::query_scalar(
            "SELECT tenant_id FROM eventlog.events WHERE stream_type = $1 AND stream_id = $2 LIMIT 1",
        )
        .bind(stream_type.as_str())
        .bind(stream_id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(tenant.map(TenantId))
    }

    /// Every stream of a tenant, for verifying all of them.
    pub async fn streams_of(&self, tenant_id: TenantId) -> Result<Vec<StreamRef>, ReadError> {
        let rows: Vec<(String, uuid::Uuid)> = sqlx::query_as(
            "SELECT DISTINCT stream_type, stream_id FROM eventlog.events WHERE tenant_id = $1 \
             ORDER BY stream_type, stream_id",
        )
        .bind(tenant_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(stream_type, stream_id)| {
                Ok(StreamRef {
                    tenant_id,
                    stream_type: StreamType::new(stream_type).map_err(|e| {
                        ReadError::Undecodable {
                            position: 0,
                            reason: e.to_string(),
                        }
                    })?,
                    stream_id: StreamId(stream_id),
                })
            })
            .collect()
    }

    /// The stream's current version (0 when it has no event).
    pub async fn stream_version(&self, stream: &StreamRef) -> Result<StreamVersion, ReadError> {
        let version: Option<i64> = sqlx::query_scalar(
            "SELECT max(stream_version) FROM eventlog.events WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3",
        )
        .bind(stream.tenant_id.0)
        .bind(stream.stream_type.as_str())
        .bind(stream.stream_id.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(StreamVersion(version.unwrap_or(0)))
    }
}

fn envelope_from_row(row: &PgRow) -> Result<EventEnvelope, ReadError> {
    let position: i64 = row.try_get("position")?;
    let undecodable = |reason: String| ReadError::Undecodable { position, reason };
    let stream_type: String = row.try_get("stream_type")?;
    let metadata: serde_json::Value = row.try_get("metadata")?;
    let previous_hash: Vec<u8> = row.try_get("previous_hash")?;
    let hash: Vec<u8> = row.try_get("hash")?;
    Ok(EventEnvelope {
        position: Position(position),
        event_id: row.try_get::<uuid::Uuid, _>("event_id")?.into(),
        tenant_id: row.try_get::<uuid::Uuid, _>("tenant_id")?.into(),
        stream_type: StreamType::new(stream_type).map_err(|e| undecodable(e.to_string()))?,
        stream_id: StreamId(row.try_get("stream_id")?),
        stream_version: StreamVersion(row.try_get("stream_version")?),
        event_type: row.try_get("event_type")?,
        schema_version: row.try_get("schema_version")?,
        payload: row.try_get("payload")?,
        metadata: serde_json::from_value(metadata).map_err(|e| undecodable(e.to_string()))?,
        recorded_at: row.try_get("recorded_at")?,
        previous_hash: hex::encode(previous_hash),
        hash: hex::encode(hash),
        tenant_hash: hex::encode(row.try_get::<Vec<u8>, _>("tenant_hash")?),
        log_hash: hex::encode(row.try_get::<Vec<u8>, _>("log_hash")?),
    })
}

impl LogReader {
    /// The outcome first stored for an idempotency key, with the stream it was used for.
    pub async fn idempotent_outcome(
        &self,
        tenant_id: TenantId,
        key: &str,
    ) -> Result<Option<(StreamRef, crate::model::AppendOutcome)>, ReadError> {
        let row = sqlx::query(
            "SELECT stream_type, stream_id, outcome FROM eventlog.idempotency_keys \
             WHERE tenant_id = $1 AND idempotency_key = $2",
        )
        .bind(tenant_id.0)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let undecodable = |reason: String| ReadError::Undecodable {
            position: 0,
            reason,
        };
        let stream_type: String = row.try_get("stream_type")?;
        let stream = StreamRef {
            tenant_id,
            stream_type: StreamType::new(stream_type).map_err(|e| undecodable(e.to_string()))?,
            stream_id: StreamId(row.try_get("stream_id")?),
        };
        let outcome: serde_json::Value = row.try_get("outcome")?;
        let outcome = serde_json::from_value(outcome).map_err(|e| undecodable(e.to_string()))?;
        Ok(Some((
            stream,
            crate::model::AppendOutcome {
                replayed: true,
                ..outcome
            },
        )))
    }
}
