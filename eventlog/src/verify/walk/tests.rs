use std::collections::HashMap;

use caselog_schemas::events::to_stored;
use caselog_schemas::{Actor, EventId, EventMetadata, StreamId, StreamType};
use serde_json::json;

use super::*;
use crate::checkpoint::CheckpointSigner;
use crate::hash::metadata_value;

/// Builds an honest log, hashing each event as the writer does.
#[derive(Default)]
struct Log {
    events: Vec<LoggedEvent>,
    streams: HashMap<StreamRef, (StreamVersion, Hash)>,
    tenants: HashMap<TenantId, Hash>,
    log_hash: Option<Hash>,
}

impl Log {
    fn append(&mut self, stream: &StreamRef, event_type: &str, payload: serde_json::Value) {
        let (version, previous) = self
            .streams
            .get(stream)
            .copied()
            .unwrap_or((StreamVersion::NONE, GENESIS));
        let position = Position(self.events.len() as i64 + 1);
        let recorded_at = DateTime::from_timestamp_micros(1_800_000_000_000_000).unwrap();
        let mut event = StoredEvent {
            position,
            event_id: EventId::new_v7(),
            stream_version: version.next(),
            event_type: event_type.into(),
            schema_version: 1,
            payload,
            metadata: metadata_value(&EventMetadata::for_new_command(Actor::system())),
            recorded_at,
            previous_hash: previous.to_vec(),
            hash: Vec::new(),
        };
        let hash = event.recompute_hash(stream, &previous);
        event.hash = hash.to_vec();
        let tenant_hash = tenant_link(
            self.tenants.get(&stream.tenant_id).unwrap_or(&GENESIS),
            &hash,
        );
        let log_hash = log_link(&self.log_hash.unwrap_or(GENESIS), &hash);
        self.streams
            .insert(stream.clone(), (event.stream_version, hash));
        self.tenants.insert(stream.tenant_id, tenant_hash);
        self.log_hash = Some(log_hash);
        self.events.push(LoggedEvent {
            stream: stream.clone(),
            event,
            tenant_hash: tenant_hash.to_vec(),
            log_hash: log_hash.to_vec(),
        });
    }

    fn message(&mut self, stream: &StreamRef, text: &str) {
        self.append(stream, "MessageSent", json!({ "text": text }));
    }

    /// Signs the tenant's head as of now and appends the checkpoint.
    fn checkpoint(&mut self, signer: &CheckpointSigner, tenant_id: TenantId) {
        let head = self.events.last().unwrap();
        let tenant_head = self
            .events
            .iter()
            .rev()
            .find(|logged| logged.stream.tenant_id == tenant_id)
            .unwrap();
        let signed = signer.sign(
            tenant_id,
            SignedCheckpoint {
                position: head.event.position,
                log_hash: hex::encode(&head.log_hash),
                tenant_position: tenant_head.event.position,
                tenant_hash: hex::encode(&tenant_head.tenant_hash),
                signed_at: Utc::now(),
                key_id: String::new(),
                signature: String::new(),
            },
        );
        let (event_type, payload) = to_stored(&CheckpointEvent::CheckpointSigned(signed));
        let stream = StreamRef {
            tenant_id,
            stream_type: StreamType::new(STREAM_TYPE).unwrap(),
            stream_id: StreamId(tenant_id.0),
        };
        self.append(&stream, &event_type, payload);
    }

    /// Rebuilds every hash of the log as it now stands: what an administrator who
    /// edited an event and covered their tracks would do.
    fn rehashed(&self) -> Log {
        let mut rebuilt = Log::default();
        for logged in &self.events {
            rebuilt.append(
                &logged.stream,
                &logged.event.event_type,
                logged.event.payload.clone(),
            );
        }
        rebuilt
    }
}

fn conversation(tenant_id: TenantId) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("conversation").unwrap(),
        stream_id: StreamId::new_v7(),
    }
}

fn signer() -> CheckpointSigner {
    CheckpointSigner::from_base64_seed(&CheckpointSigner::generate_seed()).unwrap()
}

fn walk(log: &Log, scope: Scope, keys: &TrustedKeys) -> TrustReport {
    let mut walk = ChainWalk::new(scope, keys);
    for logged in &log.events {
        walk.push(logged);
    }
    walk.finish()
}

/// Two tenants' interleaved conversations, each checkpointed once.
fn two_tenants(signer: &CheckpointSigner) -> (Log, TenantId, TenantId) {
    let (a, b) = (TenantId::new_v7(), TenantId::new_v7());
    let (first, second) = (conversation(a), conversation(b));
    let mut log = Log::default();
    for text in ["one", "two", "three"] {
        log.message(&first, text);
        log.message(&second, text);
    }
    log.checkpoint(signer, a);
    log.checkpoint(signer, b);
    log.message(&first, "after the checkpoint");
    (log, a, b)
}

#[test]
fn an_honest_log_verifies_whole_and_per_tenant() {
    let signer = signer();
    let keys = TrustedKeys::new(vec![signer.public_key().clone()]);
    let (log, a, _) = two_tenants(&signer);

    let whole = walk(&log, Scope::Log, &keys);
    assert!(whole.ok, "{whole:?}");
    assert_eq!((whole.events, whole.checkpoints), (9, 2));
    assert_eq!(whole.head_hash, Some(hex::encode(&log.events[8].log_hash)));

    let tenant = walk(&log, Scope::Tenant(a), &keys);
    let only_a: Vec<LoggedEvent> = log
        .events
        .iter()
        .filter(|logged| logged.stream.tenant_id == a)
        .cloned()
        .collect();
    let mut per_tenant = ChainWalk::new(Scope::Tenant(a), &keys);
    only_a.iter().for_each(|logged| per_tenant.push(logged));
    assert_eq!(per_tenant.log_anchors.len(), 1, "its checkpoint's log hash");
    let per_tenant = per_tenant.finish();
    assert!(per_tenant.ok, "{per_tenant:?}");
    assert_eq!((per_tenant.events, per_tenant.checkpoints), (5, 1));
    assert!(
        !tenant.ok,
        "a tenant's walk refuses another tenant's events"
    );
}

#[test]
fn an_edit_with_every_hash_recomputed_is_caught_by_the_signed_checkpoint() {
    let signer = signer();
    let keys = TrustedKeys::new(vec![signer.public_key().clone()]);
    let (mut log, _, _) = two_tenants(&signer);
    log.events[0].event.payload = json!({ "text": "rewritten" });
    let covered = log.rehashed();

    let report = walk(&covered, Scope::Log, &keys);
    assert!(!report.ok);
    let first_break = report.first_break.unwrap();
    assert_eq!(first_break.stream_type.as_deref(), Some(STREAM_TYPE));
    assert!(
        first_break.reason.contains("another tenant_hash"),
        "{first_break:?}"
    );
}

#[test]
fn a_checkpoint_signed_with_an_unknown_key_is_refused() {
    let signer = signer();
    let (log, _, _) = two_tenants(&signer);
    let report = walk(
        &log,
        Scope::Log,
        &TrustedKeys::new(vec![self::signer().public_key().clone()]),
    );
    assert!(
        report
            .first_break
            .unwrap()
            .reason
            .contains("not a trusted checkpoint key")
    );
}

#[test]
fn a_published_checkpoint_beyond_the_log_reports_it_cut_short() {
    let signer = signer();
    let keys = TrustedKeys::new(vec![signer.public_key().clone()]);
    let (mut log, a, _) = two_tenants(&signer);
    let first = log.events[0].stream.clone();
    log.message(&first, "signed, then cut");
    log.checkpoint(&signer, a);
    let CheckpointEvent::CheckpointSigned(published) = from_stored(
        &log.events.last().unwrap().event.event_type,
        &log.events.last().unwrap().event.payload,
    )
    .unwrap();
    log.events.truncate(9);

    let mut walk = ChainWalk::new(Scope::Tenant(a), &keys);
    log.events
        .iter()
        .filter(|logged| logged.stream.tenant_id == a)
        .for_each(|logged| walk.push(logged));
    walk.anchor(a, &published);
    let report = walk.finish();
    assert!(report.first_break.unwrap().reason.contains("cut short"));
}
