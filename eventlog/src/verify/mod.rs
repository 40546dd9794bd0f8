//! Verification (README "Trusting the log"): recomputes every hash from the stored
//! fields and checks each link. One stream's chain names the first version where it
//! breaks ([`verify_chain`]); a tenant's or the whole log's walk ([`walk`]) also checks
//! the tenant and log chains and every signed checkpoint on the way.
//!
//! It reads payload and metadata as raw JSON, never through typed structs, so the
//! bytes it hashes are exactly the stored ones.

mod log_reads;
pub mod walk;

pub use walk::{ChainWalk, Scope, TrustReport};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use caselog_schemas::{EventId, Position, StreamVersion};

use crate::error::ReadError;
use crate::hash::{GENESIS, Hash, HashedFields, event_hash};
use crate::model::StreamRef;
use crate::read::LogReader;

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub ok: bool,
    /// Events examined.
    pub events: i64,
    /// Hex hash of the last event examined (what a printout should show).
    pub head_hash: Option<String>,
    /// Position of the last event examined.
    pub head_position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_version: Option<StreamVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One stored event as verification sees it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub position: Position,
    pub event_id: EventId,
    pub stream_version: StreamVersion,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: serde_json::Value,
    pub metadata: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl StoredEvent {
    /// The event's columns of a row of `eventlog.events`.
    pub(crate) fn from_row(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            position: Position(row.try_get("position")?),
            event_id: EventId(row.try_get("event_id")?),
            stream_version: StreamVersion(row.try_get("stream_version")?),
            event_type: row.try_get("event_type")?,
            schema_version: row.try_get("schema_version")?,
            payload: row.try_get("payload")?,
            metadata: row.try_get("metadata")?,
            recorded_at: row.try_get("recorded_at")?,
            previous_hash: row.try_get("previous_hash")?,
            hash: row.try_get("hash")?,
        })
    }

    /// The hash the event's stored fields give, linked to `previous`.
    pub fn recompute_hash(&self, stream: &StreamRef, previous: &Hash) -> Hash {
        event_hash(&HashedFields {
            position: self.position,
            event_id: self.event_id,
            tenant_id: stream.tenant_id,
            stream_type: &stream.stream_type,
            stream_id: stream.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            payload: &self.payload,
            metadata: &self.metadata,
            recorded_at: self.recorded_at,
            previous_hash: previous,
        })
    }
}

/// Checks a stream's events, given in version order.
pub fn verify_chain(stream: &StreamRef, events: &[StoredEvent]) -> ChainReport {
    let mut expected_previous: Hash = GENESIS;
    let mut expected_version = StreamVersion(1);
    for event in events {
        let broken = |reason: &str| ChainReport {
            ok: false,
            events: events.len() as i64,
            head_hash: events.last().map(|e| hex::encode(&e.hash)),
            head_position: events.last().map(|e| e.position),
            first_broken_version: Some(expected_version.min(event.stream_version)),
            reason: Some(reason.to_owned()),
        };
        if event.stream_version != expected_version {
            return broken("a version is missing from the stream");
        }
        if event.previous_hash.as_slice() != expected_previous {
            return broken("previous_hash does not match the previous event's hash");
        }
        let recomputed = event.recompute_hash(stream, &expected_previous);
        if event.hash.as_slice() != recomputed {
            return broken("the stored fields do not hash to the stored hash");
        }
        expected_previous = recomputed;
        expected_version = expected_version.next();
    }
    ChainReport {
        ok: true,
        events: events.len() as i64,
        head_hash: events.last().map(|e| hex::encode(&e.hash)),
        head_position: events.last().map(|e| e.position),
        first_broken_version: None,
        reason: None,
    }
}

impl LogReader {
    /// Verifies one stream's chain, up to and including `up_to` when given.
    pub async fn verify_stream(
        &self,
        stream: &StreamRef,
        up_to: Option<Position>,
    ) -> Result<ChainReport, ReadError> {
        let rows = sqlx::query(
            "SELECT position, event_id, stream_version, event_type, schema_version, payload, metadata, \
                    recorded_at, previous_hash, hash \
             FROM eventlog.events \
             WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 AND position <= $4 \
             ORDER BY stream_version",
        )
        .bind(stream.tenant_id.0)
        .bind(stream.stream_type.as_str())
        .bind(stream.stream_id.0)
        .bind(up_to.map_or(i64::MAX, |p| p.0))
        .fetch_all(self.pool())
        .await?;
        let events = rows
            .iter()
            .map(StoredEvent::from_row)
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(verify_chain(stream, &events))
    }
}

#[cfg(test)]
mod tests;
