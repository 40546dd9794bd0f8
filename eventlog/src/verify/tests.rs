use super::*;
use crate::hash::{canonical_time, metadata_value};
use caselog_schemas::{Actor, EventMetadata};
use serde_json::json;

fn stream() -> StreamRef {
    StreamRef::new_conversation()
}

fn honest_chain(stream: &StreamRef, length: i64) -> Vec<StoredEvent> {
    let metadata = metadata_value(&EventMetadata::for_new_command(Actor::system()));
    let recorded_at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
    let mut previous = GENESIS;
    (1..=length)
        .map(|version| {
            let mut event = StoredEvent {
                position: Position(version * 10),
                event_id: EventId::new_v7(),
                stream_version: StreamVersion(version),
                event_type: "MessageSent".into(),
                schema_version: 1,
                payload: json!({"text": format!("message {version}")}),
                metadata: metadata.clone(),
                recorded_at,
                previous_hash: previous.to_vec(),
                hash: Vec::new(),
            };
            let hash = event.recompute_hash(stream, &previous);
            event.hash = hash.to_vec();
            previous = hash;
            event
        })
        .collect()
}

#[test]
fn an_untouched_chain_verifies() {
    let stream = stream();
    let report = verify_chain(&stream, &honest_chain(&stream, 5));
    assert!(report.ok);
    assert_eq!(report.events, 5);
    assert!(report.first_broken_version.is_none());
    assert!(!canonical_time(Utc::now()).is_empty());
}

#[test]
fn an_edited_payload_is_reported_at_its_version() {
    let stream = stream();
    let mut events = honest_chain(&stream, 5);
    events[2].payload = json!({"text": "rewritten"});
    let report = verify_chain(&stream, &events);
    assert!(!report.ok);
    assert_eq!(report.first_broken_version, Some(StreamVersion(3)));
}

#[test]
fn a_rehashed_edit_is_caught_by_the_next_link() {
    let stream = stream();
    let mut events = honest_chain(&stream, 4);
    events[1].hash = vec![9; 32];
    let report = verify_chain(&stream, &events);
    assert_eq!(report.first_broken_version, Some(StreamVersion(2)));
}

#[test]
fn a_deleted_event_is_reported_where_the_version_goes_missing() {
    let stream = stream();
    let mut events = honest_chain(&stream, 4);
    events.remove(1);
    let report = verify_chain(&stream, &events);
    assert_eq!(report.first_broken_version, Some(StreamVersion(2)));
}
