//! One pass over a tenant's events, or the whole log's, in position order: every
//! stream chain, the tenant chains, the log chain (whole log only) and every signed
//! checkpoint met on the way; then the checkpoints a copy outside the database holds
//! (NATS), which catch a log cut short together with its own checkpoints.
//!
//! What a walk catches, and how: an edited event (its hash), a deleted event (its
//! stream's next version, its tenant's next link, the log's next position), a moved
//! event (the position is hashed), a stream deleted whole (the tenant and log chains),
//! the last events of a tenant deleted (the checkpoint that signed them), and the log
//! cut short after a checkpoint (that checkpoint, from NATS).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use caselog_schemas::events::{CheckpointEvent, SignedCheckpoint, from_stored};
use caselog_schemas::{Position, StreamVersion, TenantId};

use super::StoredEvent;
use crate::checkpoint::{STREAM_TYPE, TrustedKeys};
use crate::hash::{GENESIS, Hash, log_link, tenant_link};
use crate::model::StreamRef;

/// What a walk covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every event: positions must be contiguous from 1 and the log chain holds.
    Log,
    /// One tenant's events: its chain holds; the log chain is checked where its
    /// checkpoints signed it.
    Tenant(TenantId),
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Log => f.write_str("the whole log"),
            Self::Tenant(tenant) => write!(f, "tenant {tenant}"),
        }
    }
}

/// One stored event with its place and its links.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub stream: StreamRef,
    pub event: StoredEvent,
    pub tenant_hash: Vec<u8>,
    pub log_hash: Vec<u8>,
}

/// Where verification first failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Break {
    /// The log position where it broke (for a cut log, where the log now ends).
    pub position: i64,
    pub stream_type: Option<String>,
    pub stream_id: Option<uuid::Uuid>,
    pub stream_version: Option<i64>,
    pub reason: String,
}

/// A checkpoint that verification checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CheckedCheckpoint {
    /// The log position it signed.
    pub position: i64,
    /// The tenant's last event at or before it.
    pub tenant_position: i64,
    pub tenant_hash: String,
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    /// `log` (an event of the log) or `nats` (the copy on NATS).
    pub source: String,
}

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrustReport {
    pub ok: bool,
    /// Events checked.
    pub events: u64,
    /// Streams among them.
    pub streams: u64,
    /// Position of the last event checked.
    pub head_position: Option<i64>,
    /// Hex `tenant_hash` (a tenant's walk) or `log_hash` (the log's) of that event.
    pub head_hash: Option<String>,
    /// Signed checkpoints whose signature and hashes were checked.
    pub checkpoints: u64,
    /// The newest of them.
    pub latest_checkpoint: Option<CheckedCheckpoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_break: Option<Break>,
}

/// A tenant's chain since its last checkpoint: its head and the links a later
/// checkpoint may name.
#[derive(Default)]
struct Trail {
    head: Option<Hash>,
    links: BTreeMap<Position, Hash>,
}

/// A walk in progress: feed it events in position order, then anchors, then finish.
pub struct ChainWalk<'k> {
    scope: Scope,
    keys: &'k TrustedKeys,
    events: u64,
    streams: HashMap<StreamRef, (StreamVersion, Hash)>,
    tenants: HashMap<TenantId, Trail>,
    log_head: Option<(Position, Hash)>,
    log_links: BTreeMap<Position, Hash>,
    checkpoints: u64,
    latest: Option<CheckedCheckpoint>,
    first_break: Option<Break>,
    /// Log hashes signed by checkpoints a tenant's walk could not recompute: the caller
    /// compares them with the stored log.
    pub log_anchors: Vec<(Position, Hash)>,
}

impl<'k> ChainWalk<'k> {
    pub fn new(scope: Scope, keys: &'k TrustedKeys) -> Self {
        Self {
            scope,
            keys,
            events: 0,
            streams: HashMap::new(),
            tenants: HashMap::new(),
            log_head: None,
            log_links: BTreeMap::new(),
            checkpoints: 0,
            latest: None,
            first_break: None,
            log_anchors: Vec::new(),
        }
    }

    pub fn is_broken(&self) -> bool {
        self.first_break.is_some()
    }

    /// Checks the next event; after a break, only counts.
    pub fn push(&mut self, logged: &LoggedEvent) {
        self.events += 1;
        if self.first_break.is_some() {
            return;
        }
        if let Err(reason) = self.check(logged) {
            self.first_break = Some(Break {
                position: logged.event.position.0,
                stream_type: Some(logged.stream.stream_type.as_str().to_owned()),
                stream_id: Some(logged.stream.stream_id.0),
                stream_version: Some(logged.event.stream_version.0),
                reason,
            });
        }
    }

    fn check(&mut self, logged: &LoggedEvent) -> Result<(), String> {
        let event = &logged.event;
        let tenant_id = logged.stream.tenant_id;
        match (self.scope, self.log_head) {
            (Scope::Tenant(tenant), _) if tenant != tenant_id => {
                return Err("an event of another tenant".into());
            }
            (Scope::Log, head) => {
                let expected = head.map_or(Position(1), |(position, _)| position.next());
                if event.position != expected {
                    return Err(format!(
                        "position {} follows {}: the events between are missing",
                        event.position,
                        expected.0 - 1
                    ));
                }
            }
            _ => {}
        }
        let hash = self.check_stream_link(logged)?;
        let trail = self.tenants.entry(tenant_id).or_default();
        let tenant_hash = tenant_link(&trail.head.unwrap_or(GENESIS), &hash);
        if logged.tenant_hash != tenant_hash {
            return Err(
                "tenant_hash does not follow from the tenant's previous event: an \
                        event before it is missing, moved or changed"
                    .into(),
            );
        }
        trail.head = Some(tenant_hash);
        trail.links.insert(event.position, tenant_hash);
        if self.scope == Scope::Log {
            let previous = self.log_head.map_or(GENESIS, |(_, hash)| hash);
            let log_hash = log_link(&previous, &hash);
            if logged.log_hash != log_hash {
                return Err("log_hash does not follow from the previous position".into());
            }
            self.log_head = Some((event.position, log_hash));
            self.log_links.insert(event.position, log_hash);
        }
        if logged.stream.stream_type.as_str() == STREAM_TYPE {
            let CheckpointEvent::CheckpointSigned(checkpoint) =
                from_stored(&event.event_type, &event.payload)
                    .map_err(|error| format!("a checkpoint that does not decode: {error}"))?;
            self.check_checkpoint(tenant_id, &checkpoint, "log")?;
        }
        Ok(())
    }

    /// The stream chain: the next version, linked to the previous hash, hashing to
    /// the stored hash. Returns the event's hash.
    fn check_stream_link(&mut self, logged: &LoggedEvent) -> Result<Hash, String> {
        let event = &logged.event;
        let (version, previous) = self
            .streams
            .get(&logged.stream)
            .copied()
            .unwrap_or((StreamVersion::NONE, GENESIS));
        if event.stream_version != version.next() {
            return Err(format!(
                "stream version {} follows {}: an event of the stream is missing",
                event.stream_version, version
            ));
        }
        if event.previous_hash.as_slice() != previous {
            return Err("previous_hash does not match the previous event's hash".into());
        }
        let hash = event.recompute_hash(&logged.stream, &previous);
        if event.hash.as_slice() != hash {
            return Err("the stored fields do not hash to the stored hash".into());
        }
        self.streams
            .insert(logged.stream.clone(), (event.stream_version, hash));
        Ok(hash)
    }

    fn check_checkpoint(
        &mut self,
        tenant_id: TenantId,
        checkpoint: &SignedCheckpoint,
        source: &str,
    ) -> Result<(), String> {
        self.keys
            .check(tenant_id, checkpoint)
            .map_err(|error| format!("checkpoint of position {}: {error}", checkpoint.position))?;
        let trail = self.tenants.entry(tenant_id).or_default();
        let named = (checkpoint.tenant_position, checkpoint.tenant_hash.as_str());
        let found = trail
            .links
            .range(..=checkpoint.position)
            .next_back()
            .map(|(position, hash)| (*position, hex::encode(hash)));
        match found {
            Some((position, hash)) if (position, hash.as_str()) == named => {}
            Some((position, _)) if position < checkpoint.tenant_position => {
                return Err(format!(
                    "the log is cut short: a checkpoint signed the tenant's events up to \
                     position {}, but they end at {position} here",
                    checkpoint.tenant_position
                ));
            }
            None if trail.links.is_empty() && trail.head.is_none() => {
                return Err(format!(
                    "the log is cut short: a checkpoint signed the tenant's events up to \
                     position {}, but none are here",
                    checkpoint.tenant_position
                ));
            }
            _ => {
                return Err(format!(
                    "a checkpoint signed the tenant's head at position {} with another \
                     tenant_hash: its events up to there were changed",
                    checkpoint.tenant_position
                ));
            }
        }
        let log_hash: Hash = hex::decode(&checkpoint.log_hash)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("a checkpoint's log_hash is not a hash")?;
        match self.scope {
            Scope::Log if self.log_links.get(&checkpoint.position) != Some(&log_hash) => {
                return Err(format!(
                    "a checkpoint signed log_hash {} at position {}, which the log does \
                     not hold",
                    checkpoint.log_hash, checkpoint.position
                ));
            }
            Scope::Log => {
                self.log_links = self.log_links.split_off(&checkpoint.position);
            }
            Scope::Tenant(_) => self.log_anchors.push((checkpoint.position, log_hash)),
        }
        trail.links = trail.links.split_off(&checkpoint.tenant_position);
        self.checkpoints += 1;
        self.latest = Some(CheckedCheckpoint {
            position: checkpoint.position.0,
            tenant_position: checkpoint.tenant_position.0,
            tenant_hash: checkpoint.tenant_hash.clone(),
            signed_at: checkpoint.signed_at,
            key_id: checkpoint.key_id.clone(),
            source: source.to_owned(),
        });
        Ok(())
    }

    /// Checks a checkpoint held outside the database (the newest on NATS) against what
    /// the walk saw.
    pub fn anchor(&mut self, tenant_id: TenantId, checkpoint: &SignedCheckpoint) {
        if self.first_break.is_some() {
            return;
        }
        let covered = self
            .latest
            .as_ref()
            .is_some_and(|latest| latest.position >= checkpoint.position.0);
        let checked = match covered {
            // The log holds a checkpoint at least as new, met and checked on the way:
            // the copy (NATS publishes a moment behind the log) needs its signature only.
            true => self
                .keys
                .check(tenant_id, checkpoint)
                .map_err(|error| format!("the checkpoint published on NATS: {error}")),
            false => self.check_checkpoint(tenant_id, checkpoint, "nats"),
        };
        if let Err(reason) = checked {
            self.first_break = Some(Break {
                position: self.head_position().map_or(0, |position| position.0),
                stream_type: None,
                stream_id: None,
                stream_version: None,
                reason,
            });
        }
    }

    /// Records a break found outside the walk (a signed log hash the stored log
    /// contradicts).
    pub fn fail(&mut self, position: Position, reason: String) {
        if self.first_break.is_none() {
            self.first_break = Some(Break {
                position: position.0,
                stream_type: None,
                stream_id: None,
                stream_version: None,
                reason,
            });
        }
    }

    fn head_position(&self) -> Option<Position> {
        match self.scope {
            Scope::Log => self.log_head.map(|(position, _)| position),
            Scope::Tenant(tenant) => self
                .tenants
                .get(&tenant)
                .and_then(|trail| trail.links.keys().next_back().copied()),
        }
    }

    pub fn finish(self) -> TrustReport {
        let head_position = self.head_position();
        let head_hash = match self.scope {
            Scope::Log => self.log_head.map(|(_, hash)| hex::encode(hash)),
            Scope::Tenant(tenant) => self
                .tenants
                .get(&tenant)
                .and_then(|trail| trail.head)
                .map(hex::encode),
        };
        TrustReport {
            ok: self.first_break.is_none(),
            events: self.events,
            streams: self.streams.len() as u64,
            head_position: head_position.map(|position| position.0),
            head_hash,
            checkpoints: self.checkpoints,
            latest_checkpoint: self.latest,
            first_break: self.first_break,
        }
    }
}

#[cfg(test)]
mod tests;
