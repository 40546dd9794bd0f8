use super::*;
use crate::model::NewEvent;
use caselog_schemas::{Actor, EventMetadata};
use chrono::TimeZone;
use serde_json::json;

fn stream() -> StreamRef {
    StreamRef::new_conversation()
}

fn request(
    stream: &StreamRef,
    expected: ExpectedVersion,
    events: usize,
    key: Option<&str>,
) -> AppendRequest {
    AppendRequest {
        stream: stream.clone(),
        expected_version: expected,
        events: (0..events)
            .map(|i| NewEvent {
                event_type: "MessageSent".into(),
                schema_version: 1,
                payload: json!({"i": i}),
            })
            .collect(),
        metadata: EventMetadata::for_new_command(Actor::system()),
        idempotency_key: key.map(str::to_owned),
        request_fingerprint: None,
        erases_stream: false,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
}

fn empty_log() -> LogHead {
    LogHead {
        position: Position(10),
        recorded_at: None,
        hash: GENESIS,
    }
}

#[test]
fn positions_continue_the_log_and_versions_continue_each_stream() {
    let (a, b) = (stream(), stream());
    let requests = [
        request(&a, ExpectedVersion::Exact(StreamVersion::NONE), 2, None),
        request(&b, ExpectedVersion::Any, 1, None),
        request(&a, ExpectedVersion::Exact(StreamVersion(2)), 1, None),
    ];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );

    let positions: Vec<i64> = plan.rows.iter().map(|row| row.position.0).collect();
    assert_eq!(positions, vec![11, 12, 13, 14]);
    let versions: Vec<i64> = plan.rows.iter().map(|row| row.stream_version.0).collect();
    assert_eq!(versions, vec![1, 2, 1, 3]);
    assert_eq!(plan.head, Position(14));
    assert_eq!(
        plan.results[2].as_ref().unwrap().stream_version,
        StreamVersion(3)
    );
}

#[test]
fn each_event_links_to_the_previous_hash_of_its_stream() {
    let a = stream();
    let requests = [request(&a, ExpectedVersion::Any, 3, None)];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    assert_eq!(plan.rows[0].previous_hash, GENESIS);
    assert_eq!(plan.rows[1].previous_hash, plan.rows[0].hash);
    assert_eq!(plan.rows[2].previous_hash, plan.rows[1].hash);
}

#[test]
fn every_event_extends_its_tenants_chain_and_the_logs() {
    let a = stream();
    let b = stream();
    let earlier_tenant_head = [7u8; 32];
    let requests = [
        request(&a, ExpectedVersion::Any, 2, None),
        request(&b, ExpectedVersion::Any, 1, None),
    ];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let log_head = LogHead {
        hash: [3u8; 32],
        ..empty_log()
    };
    let tenant_heads = HashMap::from([(a.tenant_id, earlier_tenant_head)]);
    let plan = plan_batch(
        &refs,
        log_head,
        HashMap::new(),
        tenant_heads,
        HashMap::new(),
        now(),
    );

    let [first, second, other] = &plan.rows[..] else {
        panic!("three rows")
    };
    assert_eq!(
        first.tenant_hash,
        tenant_link(&earlier_tenant_head, &first.hash)
    );
    assert_eq!(
        second.tenant_hash,
        tenant_link(&first.tenant_hash, &second.hash)
    );
    assert_eq!(other.tenant_hash, tenant_link(&GENESIS, &other.hash));
    assert_eq!(first.log_hash, log_link(&[3u8; 32], &first.hash));
    assert_eq!(second.log_hash, log_link(&first.log_hash, &second.hash));
    assert_eq!(other.log_hash, log_link(&second.log_hash, &other.hash));
    assert_eq!(plan.log_hash, other.log_hash);
}

#[test]
fn a_stale_expected_version_conflicts_and_writes_nothing() {
    let a = stream();
    let heads = HashMap::from([(
        a.clone(),
        StreamHead {
            version: StreamVersion(5),
            hash: [7; 32],
        },
    )]);
    let requests = [request(
        &a,
        ExpectedVersion::Exact(StreamVersion(4)),
        2,
        None,
    )];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        heads,
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    assert!(plan.rows.is_empty());
    assert_eq!(
        plan.results[0],
        Err(Rejection::Conflict {
            expected: StreamVersion(4),
            actual: StreamVersion(5)
        })
    );
}

#[test]
fn of_two_requests_at_the_same_version_in_one_batch_only_the_first_appends() {
    let a = stream();
    let requests = [
        request(&a, ExpectedVersion::Exact(StreamVersion::NONE), 1, None),
        request(&a, ExpectedVersion::Exact(StreamVersion::NONE), 1, None),
    ];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    assert!(plan.results[0].is_ok());
    assert!(matches!(plan.results[1], Err(Rejection::Conflict { .. })));
    assert_eq!(plan.rows.len(), 1);
}

#[test]
fn a_repeated_idempotency_key_in_one_batch_replays_the_first_outcome() {
    let a = stream();
    let requests = [
        request(&a, ExpectedVersion::Any, 1, Some("k1")),
        request(&a, ExpectedVersion::Any, 1, Some("k1")),
    ];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    let first = plan.results[0].as_ref().unwrap();
    let second = plan.results[1].as_ref().unwrap();
    assert!(second.replayed);
    assert_eq!(first.events, second.events);
    assert_eq!(plan.rows.len(), 1);
    assert_eq!(plan.keys.len(), 1);
}

#[test]
fn a_key_reused_for_another_stream_is_refused() {
    let (a, b) = (stream(), stream());
    let b = StreamRef {
        tenant_id: a.tenant_id,
        ..b
    };
    let requests = [
        request(&a, ExpectedVersion::Any, 1, Some("k")),
        request(&b, ExpectedVersion::Any, 1, Some("k")),
    ];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let plan = plan_batch(
        &refs,
        empty_log(),
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    assert_eq!(plan.results[1], Err(Rejection::IdempotencyKeyReused));
}

#[test]
fn recorded_at_never_goes_backwards() {
    let later = now() + chrono::Duration::seconds(5);
    let a = stream();
    let requests = [request(&a, ExpectedVersion::Any, 1, None)];
    let refs: Vec<&AppendRequest> = requests.iter().collect();
    let head = LogHead {
        position: Position(3),
        recorded_at: Some(later),
        hash: GENESIS,
    };
    let plan = plan_batch(
        &refs,
        head,
        HashMap::new(),
        HashMap::new(),
        HashMap::new(),
        now(),
    );
    assert_eq!(plan.rows[0].recorded_at, later);
}
