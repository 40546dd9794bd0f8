//! Appends through the group-commit writer: optimistic concurrency, idempotency,
//! atomicity, and the reads that come back.

use std::time::Duration;

use futures::future::join_all;

use caselog_eventlog::{
    AppendError, EventLog, ExpectedVersion, LogReader, WriterConfig, head_channel,
};
use caselog_schemas::{Position, StreamVersion, TenantId};
use caselog_testkit::TestDatabase;
use caselog_testkit::log::{conversation, messages, whole_log};

fn event_log(pool: sqlx::PgPool) -> EventLog {
    EventLog::start(pool, WriterConfig::default(), head_channel())
}

#[tokio::test]
async fn of_fifty_concurrent_appends_at_the_same_version_exactly_one_succeeds() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let stream = conversation(TenantId::new_v7());
    log.append(messages(&stream, ExpectedVersion::Any, 1, "opening"))
        .await
        .unwrap();

    // Two events per append, so a partial write would show.
    let attempts = (0..50).map(|i| {
        let log = log.clone();
        let request = messages(
            &stream,
            ExpectedVersion::Exact(StreamVersion(1)),
            2,
            &format!("racer {i}"),
        );
        async move { log.append(request).await }
    });
    let results = join_all(attempts).await;

    let winners: Vec<_> = results.iter().filter(|result| result.is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one append wins");
    for result in &results {
        if let Err(error) = result {
            assert!(
                matches!(
                    error,
                    AppendError::Conflict {
                        expected: StreamVersion(1),
                        actual: StreamVersion(3)
                    }
                ),
                "the others conflict with the winner's version: {error:?}"
            );
        }
    }
    let stored = LogReader::new(database.pool.clone())
        .read_stream(&stream, StreamVersion::NONE)
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        3,
        "the opening event and the winner's two, nothing else"
    );
    assert_eq!(
        stored[1].payload["text"],
        stored[2].payload["text"]
            .as_str()
            .unwrap()
            .replace("#1", "#0")
    );
}

#[tokio::test]
async fn of_fifty_appends_at_the_same_version_from_separate_processes_exactly_one_succeeds() {
    let database = TestDatabase::create().await;
    let stream = conversation(TenantId::new_v7());
    // One writer per "process": the appends meet at the advisory lock, not in one batch.
    let mut logs = Vec::new();
    for _ in 0..50 {
        logs.push(event_log(database.another_pool(1).await));
    }
    let attempts = logs.iter().enumerate().map(|(i, log)| {
        log.append(messages(
            &stream,
            ExpectedVersion::Exact(StreamVersion::NONE),
            2,
            &format!("process {i}"),
        ))
    });
    let results = join_all(attempts).await;
    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .filter_map(|result| result.as_ref().err())
            .all(|error| matches!(error, AppendError::Conflict { .. }))
    );
    let stored = LogReader::new(database.pool.clone())
        .read_stream(&stream, StreamVersion::NONE)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
}

#[tokio::test]
async fn the_same_idempotency_key_twice_appends_once_and_returns_the_first_result() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let stream = conversation(TenantId::new_v7());
    let mut request = messages(&stream, ExpectedVersion::Any, 2, "keyed");
    request.idempotency_key = Some("client-key-1".to_owned());

    let first = log.append(request.clone()).await.unwrap();
    let second = log.append(request.clone()).await.unwrap();
    assert!(!first.replayed);
    assert!(second.replayed);
    assert_eq!(
        (second.stream_version, second.position, &second.events),
        (first.stream_version, first.position, &first.events)
    );

    // Also when the retries race each other.
    let racing = join_all((0..10).map(|_| {
        let mut retry = request.clone();
        retry.idempotency_key = Some("client-key-2".to_owned());
        let log = log.clone();
        async move { log.append(retry).await.unwrap() }
    }))
    .await;
    assert!(
        racing
            .iter()
            .all(|outcome| outcome.events == racing[0].events)
    );

    let reader = LogReader::new(database.pool.clone());
    assert_eq!(
        reader
            .read_stream(&stream, StreamVersion::NONE)
            .await
            .unwrap()
            .len(),
        4,
        "two appends of two events"
    );
}

#[tokio::test]
async fn an_idempotency_key_used_for_another_stream_is_refused() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let tenant = TenantId::new_v7();
    let (first_stream, other_stream) = (conversation(tenant), conversation(tenant));
    let mut first = messages(&first_stream, ExpectedVersion::Any, 1, "first");
    first.idempotency_key = Some("shared".to_owned());
    log.append(first).await.unwrap();

    let mut other = messages(&other_stream, ExpectedVersion::Any, 1, "other");
    other.idempotency_key = Some("shared".to_owned());
    assert!(matches!(
        log.append(other.clone()).await,
        Err(AppendError::IdempotencyKeyReused)
    ));

    // Keys are per tenant: another tenant may use the same one.
    other.stream = conversation(TenantId::new_v7());
    assert!(log.append(other).await.is_ok());
}

#[tokio::test]
async fn an_invalid_event_is_refused_without_failing_the_appends_batched_with_it() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let tenant = TenantId::new_v7();
    let mut poisoned = messages(&conversation(tenant), ExpectedVersion::Any, 1, "poison");
    poisoned.events[0].payload = serde_json::json!({"text": "nul \u{0} inside"});
    let healthy: Vec<_> = (0..20)
        .map(|i| {
            messages(
                &conversation(tenant),
                ExpectedVersion::Any,
                1,
                &format!("ok {i}"),
            )
        })
        .collect();

    let poisoned_result = log.append(poisoned);
    let healthy_results = join_all(healthy.into_iter().map(|request| log.append(request)));
    let (poisoned_result, healthy_results) = tokio::join!(poisoned_result, healthy_results);
    assert!(matches!(poisoned_result, Err(AppendError::InvalidEvent(_))));
    assert!(healthy_results.iter().all(Result::is_ok));
    assert_eq!(
        whole_log(&LogReader::new(database.pool.clone()))
            .await
            .len(),
        20
    );
}

#[tokio::test]
async fn concurrent_appends_are_grouped_and_positions_stay_contiguous() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let tenant = TenantId::new_v7();
    let results = join_all((0..400).map(|i| {
        log.append(messages(
            &conversation(tenant),
            ExpectedVersion::Any,
            1,
            &format!("m{i}"),
        ))
    }))
    .await;
    let mut positions: Vec<i64> = results
        .into_iter()
        .map(|result| result.unwrap().position.0)
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=400).collect::<Vec<_>>());
    // The outcome's position is the one the event really got.
    let stored = whole_log(&LogReader::new(database.pool.clone())).await;
    assert_eq!(stored.len(), 400);
    let batches: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT recorded_at) FROM eventlog.events")
            .fetch_one(&database.pool)
            .await
            .unwrap();
    assert!(
        batches < 400,
        "400 concurrent appends took fewer than 400 transactions ({batches})"
    );
}

#[tokio::test]
async fn reads_are_scoped_to_a_tenant_and_a_stream() {
    let database = TestDatabase::create().await;
    let log = event_log(database.pool.clone());
    let (tenant, other_tenant) = (TenantId::new_v7(), TenantId::new_v7());
    let stream = conversation(tenant);
    log.append(messages(
        &stream,
        ExpectedVersion::Exact(StreamVersion::NONE),
        3,
        "mine",
    ))
    .await
    .unwrap();
    log.append(messages(
        &conversation(other_tenant),
        ExpectedVersion::Any,
        2,
        "theirs",
    ))
    .await
    .unwrap();

    let reader = LogReader::new(database.pool.clone());
    let mine = reader
        .read_tenant_after(tenant, Position::BEFORE_FIRST, 100)
        .await
        .unwrap();
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().all(|event| event.tenant_id == tenant));
    assert_eq!(
        reader
            .read_stream(&stream, StreamVersion(1))
            .await
            .unwrap()
            .len(),
        2,
        "after version 1"
    );
    assert_eq!(
        reader.stream_version(&stream).await.unwrap(),
        StreamVersion(3)
    );
    assert_eq!(reader.head().await.unwrap(), Position(5));

    // Appending an empty list writes nothing and reports where the stream stands.
    let empty = log
        .append(messages(
            &stream,
            ExpectedVersion::Exact(StreamVersion(3)),
            0,
            "none",
        ))
        .await
        .unwrap();
    assert_eq!(empty.stream_version, StreamVersion(3));
    assert!(empty.events.is_empty());
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(reader.head().await.unwrap(), Position(5));
}
