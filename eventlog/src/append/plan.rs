//! The pure part of a group commit: given what the log holds now, decides for each
//! request of a batch whether it appends, conflicts or replays an idempotent result,
//! and lays out the rows to insert with their positions, versions and hashes.
//!
//! Requests are taken in arrival order and see the effects of the ones before them in
//! the same batch, exactly as if each had been its own transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use caselog_schemas::{EventId, Position, StreamVersion, TenantId};

use crate::hash::{GENESIS, Hash, HashedFields, event_hash, log_link, metadata_value, tenant_link};
use crate::model::{AppendOutcome, AppendRequest, AppendedEvent, ExpectedVersion, StreamRef};

/// The last event of the whole log when the batch took the writer lock.
#[derive(Debug, Clone, Copy)]
pub struct LogHead {
    pub position: Position,
    pub recorded_at: Option<DateTime<Utc>>,
    /// The head's `log_hash` ([`GENESIS`] for an empty log).
    pub hash: Hash,
}

/// The last event of one stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamHead {
    pub version: StreamVersion,
    pub hash: Hash,
}

impl StreamHead {
    pub const EMPTY: StreamHead = StreamHead {
        version: StreamVersion::NONE,
        hash: GENESIS,
    };
}

/// An idempotency key already in the log, with the stream it was used for.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub stream: StreamRef,
    pub outcome: AppendOutcome,
}

/// Why one request of a batch appends nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    Conflict {
        expected: StreamVersion,
        actual: StreamVersion,
    },
    IdempotencyKeyReused,
}

/// One row of `eventlog.events`, ready to insert.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub position: Position,
    pub event_id: EventId,
    pub stream: StreamRef,
    pub stream_version: StreamVersion,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: Hash,
    pub hash: Hash,
    pub tenant_hash: Hash,
    pub log_hash: Hash,
}

/// One row of `eventlog.idempotency_keys`.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub tenant_id: TenantId,
    pub key: String,
    pub stream: StreamRef,
    pub outcome: AppendOutcome,
}

#[derive(Debug)]
pub struct BatchPlan {
    pub rows: Vec<EventRow>,
    pub keys: Vec<KeyRow>,
    pub results: Vec<Result<AppendOutcome, Rejection>>,
    /// The log head after the batch commits.
    pub head: Position,
    /// The `log_hash` of `head`.
    pub log_hash: Hash,
    /// Each tenant's last `tenant_hash`, as the batch leaves it.
    tenant_heads: HashMap<TenantId, Hash>,
}

impl BatchPlan {
    /// Adds `request`'s events after the stream's `head`: each with the next position
    /// and stream version, chained to the one before. Returns the stream's new head and
    /// what was appended.
    fn push_events(
        &mut self,
        request: &AppendRequest,
        head: StreamHead,
        metadata: &serde_json::Value,
        recorded_at: DateTime<Utc>,
    ) -> (StreamHead, Vec<AppendedEvent>) {
        let mut new_head = head;
        let mut appended = Vec::with_capacity(request.events.len());
        for event in &request.events {
            let position = self.head.next();
            let stream_version = new_head.version.next();
            let event_id = EventId::new_v7();
            let hash = event_hash(&HashedFields {
                position,
                event_id,
                tenant_id: request.stream.tenant_id,
                stream_type: &request.stream.stream_type,
                stream_id: request.stream.stream_id,
                stream_version,
                event_type: &event.event_type,
                schema_version: event.schema_version,
                payload: &event.payload,
                metadata,
                recorded_at,
                previous_hash: &new_head.hash,
            });
            let tenant_head = self
                .tenant_heads
                .entry(request.stream.tenant_id)
                .or_insert(GENESIS);
            *tenant_head = tenant_link(tenant_head, &hash);
            self.log_hash = log_link(&self.log_hash, &hash);
            self.rows.push(EventRow {
                position,
                event_id,
                stream: request.stream.clone(),
                stream_version,
                event_type: event.event_type.clone(),
                schema_version: event.schema_version,
                payload: event.payload.clone(),
                metadata: metadata.clone(),
                recorded_at,
                previous_hash: new_head.hash,
                hash,
                tenant_hash: *tenant_head,
                log_hash: self.log_hash,
            });
            appended.push(AppendedEvent {
                event_id,
                event_type: event.event_type.clone(),
                position,
                stream_version,
            });
            self.head = position;
            new_head = StreamHead {
                version: stream_version,
                hash,
            };
        }
        (new_head, appended)
    }
}

pub fn plan_batch(
    requests: &[&AppendRequest],
    log_head: LogHead,
    mut stream_heads: HashMap<StreamRef, StreamHead>,
    tenant_heads: HashMap<TenantId, Hash>,
    mut stored_keys: HashMap<(TenantId, String), StoredKey>,
    now: DateTime<Utc>,
) -> BatchPlan {
    // Recorded-at never goes backwards along the log, even if the clock does, so
    // "as of time T" always maps to a prefix of the log.
    let recorded_at = match log_head.recorded_at {
        Some(last) if last > now => last,
        _ => now,
    };
    let mut plan = BatchPlan {
        rows: Vec::new(),
        keys: Vec::new(),
        results: Vec::new(),
        head: log_head.position,
        log_hash: log_head.hash,
        tenant_heads,
    };

    for request in requests {
        let key = request
            .idempotency_key
            .as_ref()
            .map(|key| (request.stream.tenant_id, key.clone()));
        if let Some(stored) = key.as_ref().and_then(|key| stored_keys.get(key)) {
            // A key stored before fingerprints were kept matches any request.
            let same_request = stored.outcome.request_fingerprint.is_none()
                || stored.outcome.request_fingerprint == request.request_fingerprint;
            let result = if stored.stream == request.stream && same_request {
                Ok(AppendOutcome {
                    replayed: true,
                    ..stored.outcome.clone()
                })
            } else {
                Err(Rejection::IdempotencyKeyReused)
            };
            plan.results.push(result);
            continue;
        }

        let head = stream_heads
            .get(&request.stream)
            .copied()
            .unwrap_or(StreamHead::EMPTY);
        if let ExpectedVersion::Exact(expected) = request.expected_version
            && expected != head.version
        {
            plan.results.push(Err(Rejection::Conflict {
                expected,
                actual: head.version,
            }));
            continue;
        }

        let metadata = metadata_value(&request.metadata);
        let (new_head, appended) = plan.push_events(request, head, &metadata, recorded_at);
        stream_heads.insert(request.stream.clone(), new_head);

        let outcome = AppendOutcome {
            stream_id: request.stream.stream_id,
            stream_version: new_head.version,
            position: plan.head,
            events: appended,
            request_fingerprint: request.request_fingerprint.clone(),
            replayed: false,
        };
        if let Some(key) = key {
            let row = KeyRow {
                tenant_id: key.0,
                key: key.1.clone(),
                stream: request.stream.clone(),
                outcome: outcome.clone(),
            };
            stored_keys.insert(
                key,
                StoredKey {
                    stream: request.stream.clone(),
                    outcome: outcome.clone(),
                },
            );
            plan.keys.push(row);
        }
        plan.results.push(Ok(outcome));
    }
    plan
}

#[cfg(test)]
mod tests;
