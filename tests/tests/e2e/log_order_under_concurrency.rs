//! README "The event log": under heavy concurrent appends, positions follow commit order, a
//! tailing reader never skips an event, and the relay publishes every event exactly
//! once, in position order.

use std::collections::HashSet;
use std::time::Duration;

use rand::Rng;
use sqlx::Connection;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::append::write_batch;
use caselog_eventlog::relay::{Relay, RelayStatus};
use caselog_eventlog::{ExpectedVersion, LogReader, LogTail, head_channel, listen_for_head};
use caselog_schemas::{Position, TenantId};
use caselog_testkit::jetstream::TestNats;
use caselog_testkit::log::{conversation, messages, whole_log};
use caselog_testkit::{TestDatabase, eventually};

const WRITERS: usize = 16;
const APPENDS_PER_WRITER: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_writers_with_delays_inside_their_transactions_are_published_once_each_in_order() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let shutdown = CancellationToken::new();

    // The relay and a tail reader follow the log while the writers run.
    let head = head_channel();
    tokio::spawn(listen_for_head(
        database.pool.clone(),
        head.clone(),
        shutdown.clone(),
    ));
    let reader = LogReader::new(database.pool.clone());
    let relay_status = RelayStatus::default();
    let relay = Relay::new(
        reader.clone(),
        nats.client.clone(),
        head.subscribe(),
        nats.relay_config(),
        relay_status.clone(),
    );
    tokio::spawn(relay.run(shutdown.clone()));

    let total = WRITERS * APPENDS_PER_WRITER;
    let mut tail = LogTail::new(reader.clone(), Position::BEFORE_FIRST, head.subscribe());
    let tail_reader = tokio::spawn(async move {
        let mut seen = Vec::with_capacity(total);
        while seen.len() < total {
            // next_batch itself fails on any gap; the positions are checked again below.
            let batch = tail
                .next_batch(1_000)
                .await
                .expect("the tail never finds a gap");
            seen.extend(batch.into_iter().map(|event| event.position.0));
        }
        seen
    });

    let tenant = TenantId::new_v7();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| spawn_writer(database.url.clone(), tenant, writer))
        .collect();
    for writer in writers {
        writer.await.expect("writer finished");
    }

    let log = whole_log(&reader).await;
    assert_eq!(log.len(), total);
    let positions: Vec<i64> = log.iter().map(|event| event.position.0).collect();
    assert_eq!(
        positions,
        (1..=total as i64).collect::<Vec<_>>(),
        "positions are contiguous from 1"
    );

    let tailed = tokio::time::timeout(Duration::from_secs(60), tail_reader)
        .await
        .expect("tail caught up")
        .unwrap();
    assert_eq!(
        tailed, positions,
        "the tail saw every position once, in order"
    );

    eventually(
        Duration::from_secs(120),
        "the relay to publish the whole log",
        || async { (relay_status.report().published_position == total as i64).then_some(()) },
    )
    .await;
    let published = nats.read_all().await;
    assert_eq!(
        published.len(),
        total,
        "every event is in the stream exactly once"
    );
    for (stored, event) in published.iter().zip(&log) {
        assert_eq!(stored.envelope, *event, "stream order is log order");
    }
    let distinct: HashSet<_> = published
        .iter()
        .map(|message| message.envelope.event_id)
        .collect();
    assert_eq!(distinct.len(), total);

    shutdown.cancel();
    nats.delete_stream().await;
}

/// A writer with its own connection (as another process would) that sleeps a random
/// while between inserting and committing: exactly where a sequence-based log commits
/// out of order.
fn spawn_writer(url: String, tenant: TenantId, writer: usize) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut connection = sqlx::PgConnection::connect(&url)
            .await
            .expect("writer connects");
        // Commit visibility order does not depend on fsync; skipping it keeps the test
        // about ordering, not about this disk's flush rate.
        sqlx::query("SET synchronous_commit = off")
            .execute(&mut connection)
            .await
            .unwrap();
        let stream = conversation(tenant);
        for append in 0..APPENDS_PER_WRITER {
            let request = messages(
                &stream,
                ExpectedVersion::Any,
                1,
                &format!("writer {writer} append {append}"),
            );
            let mut transaction = connection.begin().await.unwrap();
            write_batch(&mut transaction, &[&request])
                .await
                .expect("append");
            let delay = rand::rng().random_range(0..400);
            tokio::time::sleep(Duration::from_micros(delay)).await;
            transaction.commit().await.unwrap();
        }
    })
}
