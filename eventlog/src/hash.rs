//! The hash chains (README "Trusting the log").
//!
//! Each event is hashed on its own fields and its stream's previous hash (the stream
//! chain); that hash is then linked into its tenant's chain and into the whole log's
//! chain by [`tenant_link`] and [`log_link`].
//!
//! `hash = SHA-256(canonical)` where `canonical` is the compact JSON array
//!
//! ```text
//! ["caselog-event-v1", position, event_id, tenant_id, stream_type, stream_id,
//!  stream_version, event_type, schema_version, payload, metadata,
//!  recorded_at, previous_hash]
//! ```
//!
//! with object keys sorted by their UTF-8 bytes, no insignificant white space,
//! `recorded_at` as RFC 3339 UTC with microseconds (`2026-11-21T08:00:00.000000Z`) and
//! hashes as lowercase hex. A JSON array leaves no ambiguity about where one field ends,
//! and the same bytes come out of Python's
//! `json.dumps(x, separators=(",", ":"), sort_keys=True, ensure_ascii=False)`,
//! so an auditor can recompute a hash without caselog.
//!
//! Including the position chains the stream into the log's order too: moving an event
//! to another position breaks its hash.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use caselog_schemas::{
    EventId, EventMetadata, Position, StreamId, StreamType, StreamVersion, TenantId,
};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The `previous_hash` of a stream's first event.
pub const GENESIS: Hash = [0u8; 32];

const DOMAIN_TAG: &str = "caselog-event-v1";

/// The fields of one event that its hash covers, borrowed from wherever they live.
#[derive(Debug)]
pub struct HashedFields<'a> {
    pub position: Position,
    pub event_id: EventId,
    pub tenant_id: TenantId,
    pub stream_type: &'a StreamType,
    pub stream_id: StreamId,
    pub stream_version: StreamVersion,
    pub event_type: &'a str,
    pub schema_version: i32,
    pub payload: &'a Value,
    pub metadata: &'a Value,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: &'a Hash,
}

/// Computes the hash of one event over its canonical encoding.
pub fn event_hash(fields: &HashedFields<'_>) -> Hash {
    let canonical = canonical_encoding(fields);
    Sha256::digest(canonical.as_bytes()).into()
}

/// The exact bytes that are hashed; public so auditors' tools and tests can show them.
pub fn canonical_encoding(fields: &HashedFields<'_>) -> String {
    let array = Value::Array(vec![
        Value::from(DOMAIN_TAG),
        Value::from(fields.position.0),
        Value::from(fields.event_id.0.to_string()),
        Value::from(fields.tenant_id.0.to_string()),
        Value::from(fields.stream_type.as_str()),
        Value::from(fields.stream_id.0.to_string()),
        Value::from(fields.stream_version.0),
        Value::from(fields.event_type),
        Value::from(fields.schema_version),
        // serde_json's default Map is a BTreeMap, so objects serialise with sorted keys.
        fields.payload.clone(),
        fields.metadata.clone(),
        Value::from(canonical_time(fields.recorded_at)),
        Value::from(hex::encode(fields.previous_hash)),
    ]);
    serde_json::to_string(&array).expect("a serde_json::Value always serialises")
}

const TENANT_CHAIN_TAG: &[u8] = b"caselog-tenant-v1";
const LOG_CHAIN_TAG: &[u8] = b"caselog-log-v1";

/// The tenant chain: `SHA-256("caselog-tenant-v1" || previous tenant_hash || hash)`,
/// where `previous` is the tenant's previous event's `tenant_hash` ([`GENESIS`] before
/// its first event). It lets a tenant's auditor check that none of the tenant's events
/// is missing without seeing any other tenant's.
pub fn tenant_link(previous: &Hash, event_hash: &Hash) -> Hash {
    link(TENANT_CHAIN_TAG, previous, event_hash)
}

/// The log chain: `SHA-256("caselog-log-v1" || previous log_hash || hash)`, where
/// `previous` is the `log_hash` of the event at the position before ([`GENESIS`] before
/// position 1). A running hash rather than a Merkle tree: the single writer appends in
/// position order anyway, and verification reads whole tenants or the whole log.
pub fn log_link(previous: &Hash, event_hash: &Hash) -> Hash {
    link(LOG_CHAIN_TAG, previous, event_hash)
}

fn link(tag: &[u8], previous: &Hash, event_hash: &Hash) -> Hash {
    let mut digest = Sha256::new();
    digest.update(tag);
    digest.update(previous);
    digest.update(event_hash);
    digest.finalize().into()
}

/// Renders a time the way the hash covers it. Postgres keeps microseconds, so times are
/// truncated to microseconds before they are hashed or stored.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Serialises metadata to the JSON value that is both stored and hashed.
pub fn metadata_value(metadata: &EventMetadata) -> Value {
    serde_json::to_value(metadata).expect("event metadata always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use caselog_schemas::Actor;
    use chrono::TimeZone;
    use serde_json::json;
    use uuid::Uuid;

    fn sample_fields<'a>(
        stream_type: &'a StreamType,
        payload: &'a Value,
        metadata: &'a Value,
        previous_hash: &'a Hash,
    ) -> HashedFields<'a> {
        HashedFields {
            position: Position(7),
            event_id: EventId(Uuid::from_u128(1)),
            tenant_id: TenantId(Uuid::from_u128(2)),
            stream_type,
            stream_id: StreamId(Uuid::from_u128(3)),
            stream_version: StreamVersion(1),
            event_type: "ConversationStarted",
            schema_version: 1,
            payload,
            metadata,
            recorded_at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
            previous_hash,
        }
    }

    #[test]
    fn the_canonical_encoding_sorts_keys_and_has_no_spaces() {
        let stream_type = StreamType::new("conversation").unwrap();
        let payload = json!({"z": 1, "a": {"y": "é", "b": [1, 2]}});
        let metadata = json!({"actor": {"role": "agent", "user_id": null}});
        let fields = sample_fields(&stream_type, &payload, &metadata, &GENESIS);
        assert_eq!(
            canonical_encoding(&fields),
            concat!(
                r#"["caselog-event-v1",7,"00000000-0000-0000-0000-000000000001","#,
                r#""00000000-0000-0000-0000-000000000002","conversation","#,
                r#""00000000-0000-0000-0000-000000000003",1,"ConversationStarted",1,"#,
                r#"{"a":{"b":[1,2],"y":"é"},"z":1},{"actor":{"role":"agent","user_id":null}},"#,
                r#""2026-11-21T08:00:00.000000Z","#,
                r#""0000000000000000000000000000000000000000000000000000000000000000"]"#
            )
        );
    }

    #[test]
    fn any_change_to_a_covered_field_changes_the_hash() {
        let stream_type = StreamType::new("conversation").unwrap();
        let payload = json!({"text": "hello"});
        let edited_payload = json!({"text": "hellO"});
        let metadata = metadata_value(&EventMetadata::for_new_command(Actor::system()));
        let original = event_hash(&sample_fields(&stream_type, &payload, &metadata, &GENESIS));

        let edited = event_hash(&sample_fields(
            &stream_type,
            &edited_payload,
            &metadata,
            &GENESIS,
        ));
        assert_ne!(original, edited);

        let other_previous = [1u8; 32];
        let relinked = event_hash(&sample_fields(
            &stream_type,
            &payload,
            &metadata,
            &other_previous,
        ));
        assert_ne!(original, relinked);

        let mut moved = sample_fields(&stream_type, &payload, &metadata, &GENESIS);
        moved.position = Position(8);
        assert_ne!(original, event_hash(&moved));
    }

    #[test]
    fn the_links_are_tagged_sha256_over_previous_then_event() {
        let previous = [1u8; 32];
        let event = [2u8; 32];
        let mut expected = Sha256::new();
        expected.update(b"caselog-log-v1");
        expected.update(previous);
        expected.update(event);
        let expected: Hash = expected.finalize().into();
        assert_eq!(log_link(&previous, &event), expected);
        assert_ne!(tenant_link(&previous, &event), expected);
        assert_ne!(log_link(&event, &previous), expected);
    }

    #[test]
    fn key_order_of_the_input_does_not_matter() {
        let stream_type = StreamType::new("conversation").unwrap();
        let one: Value = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        let other: Value = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        let metadata = json!({});
        assert_eq!(
            event_hash(&sample_fields(&stream_type, &one, &metadata, &GENESIS)),
            event_hash(&sample_fields(&stream_type, &other, &metadata, &GENESIS))
        );
    }
}
