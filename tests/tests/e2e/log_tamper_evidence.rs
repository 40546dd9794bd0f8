//! README "For auditors": an edit made with SQL is detected, and named by its stream version.

use caselog_eventlog::{ExpectedVersion, LogReader};
use caselog_schemas::{StreamVersion, TenantId};
use caselog_testkit::TestDatabase;
use caselog_testkit::log::{conversation, messages};

#[tokio::test]
async fn an_event_edited_with_sql_breaks_verification_at_that_version() {
    let database = TestDatabase::create().await;
    let log = database.event_log();
    let stream = conversation(TenantId::new_v7());
    log.append(messages(&stream, ExpectedVersion::Any, 5, "original"))
        .await
        .unwrap();
    let reader = LogReader::new(database.pool.clone());

    let before = reader.verify_stream(&stream, None).await.unwrap();
    assert!(before.ok);
    assert_eq!(before.events, 5);

    // An ordinary UPDATE is refused by the append-only trigger...
    let refused = sqlx::query(
        "UPDATE eventlog.events SET payload = '{\"text\": \"rewritten\"}' WHERE stream_version = 3",
    )
    .execute(&database.pool)
    .await;
    assert!(refused.is_err(), "the log refuses updates");

    // ...so the administrator disables triggers for the session, as a DBA could.
    let edited = database
        .edit_as_administrator(
            "UPDATE eventlog.events SET payload = jsonb_set(payload, '{text}', '\"rewritten\"') \
             WHERE stream_id = $1 AND stream_version = 3",
            stream.stream_id.0,
        )
        .await;
    assert_eq!(edited, 1);

    let after = reader.verify_stream(&stream, None).await.unwrap();
    assert!(!after.ok);
    assert_eq!(after.first_broken_version, Some(StreamVersion(3)));
}

#[tokio::test]
async fn a_deleted_event_breaks_verification_where_it_was() {
    let database = TestDatabase::create().await;
    let log = database.event_log();
    let stream = conversation(TenantId::new_v7());
    log.append(messages(&stream, ExpectedVersion::Any, 4, "original"))
        .await
        .unwrap();

    let deleted = database
        .edit_as_administrator(
            "DELETE FROM eventlog.events WHERE stream_id = $1 AND stream_version = 2",
            stream.stream_id.0,
        )
        .await;
    assert_eq!(deleted, 1);

    let report = LogReader::new(database.pool.clone())
        .verify_stream(&stream, None)
        .await
        .unwrap();
    assert_eq!(report.first_broken_version, Some(StreamVersion(2)));
}
