//! The relay (README "Subscribing to caselog events"): the NATS message contract, one active relay at a time,
//! and resuming after a crash without loss or duplicates.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use caselog_eventlog::relay::{Relay, RelayStatus};
use caselog_eventlog::{ExpectedVersion, LogReader, head_channel, listen_for_head};
use caselog_schemas::{EventEnvelope, TenantId, TraceContext, headers};
use caselog_testkit::jetstream::TestNats;
use caselog_testkit::log::{conversation, keep_appending, messages, whole_log};
use caselog_testkit::services::ServiceProcess;
use caselog_testkit::{TestDatabase, eventually};

fn start_relay(
    database: &TestDatabase,
    nats: &TestNats,
    shutdown: &CancellationToken,
) -> (RelayStatus, tokio::task::JoinHandle<()>) {
    let head = head_channel();
    tokio::spawn(listen_for_head(
        database.pool.clone(),
        head.clone(),
        shutdown.clone(),
    ));
    let status = RelayStatus::default();
    let relay = Relay::new(
        LogReader::new(database.pool.clone()),
        nats.client.clone(),
        head.subscribe(),
        nats.relay_config(),
        status.clone(),
    );
    (status, tokio::spawn(relay.run(shutdown.clone())))
}

async fn assert_stream_mirrors_log(database: &TestDatabase, nats: &TestNats) {
    let log = whole_log(&LogReader::new(database.pool.clone())).await;
    let published: Vec<EventEnvelope> = nats
        .read_all()
        .await
        .into_iter()
        .map(|message| message.envelope)
        .collect();
    assert_eq!(published.len(), log.len(), "every event exactly once");
    assert!(
        published == log,
        "the stream holds the log in position order"
    );
}

#[tokio::test]
async fn a_published_event_carries_the_documented_subject_headers_and_payload() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let shutdown = CancellationToken::new();
    let (status, _relay) = start_relay(&database, &nats, &shutdown);

    let log = database.event_log();
    let tenant = TenantId::new_v7();
    let mut request = messages(&conversation(tenant), ExpectedVersion::Any, 1, "traced");
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned();
    request.metadata.trace = Some(TraceContext {
        traceparent: traceparent.clone(),
        tracestate: None,
    });
    let outcome = log.append(request).await.unwrap();

    eventually(
        Duration::from_secs(20),
        "the event to be published",
        || async { (status.report().published_position == outcome.position.0).then_some(()) },
    )
    .await;
    let published = nats.read_all().await;
    assert_eq!(published.len(), 1);
    let message = &published[0];
    let event = &message.envelope;
    assert_eq!(
        message.subject,
        format!(
            "{}.{}.conversation.MessageSent",
            nats.subject_root.as_str(),
            tenant
        )
    );
    let header = |name: &str| {
        message
            .headers
            .get(name)
            .map(|value| value.as_str().to_owned())
    };
    assert_eq!(header(headers::MSG_ID), Some(event.event_id.to_string()));
    assert_eq!(header(headers::EVENT_TYPE).as_deref(), Some("MessageSent"));
    assert_eq!(header(headers::SCHEMA_VERSION).as_deref(), Some("1"));
    assert_eq!(
        header(headers::POSITION),
        Some(outcome.position.0.to_string())
    );
    assert_eq!(header(headers::STREAM_VERSION).as_deref(), Some("1"));
    assert_eq!(
        header(headers::CONTENT_TYPE).as_deref(),
        Some("application/msgpack")
    );
    assert_eq!(
        header(headers::TRACEPARENT),
        Some(traceparent.clone()),
        "the trace context travels with the event"
    );
    assert_eq!(
        event.metadata.trace.as_ref().map(|t| t.traceparent.clone()),
        Some(traceparent)
    );
    assert_eq!(event.payload["text"], "traced #0");

    shutdown.cancel();
    nats.delete_stream().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relay_aborted_mid_stream_and_restarted_leaves_every_event_once_in_order() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let log = database.event_log();
    let tenant = TenantId::new_v7();

    // Writers keep appending throughout.
    let writer = keep_appending(&log, tenant, 60);

    for _crash in 0..3 {
        let shutdown = CancellationToken::new();
        let (status, relay) = start_relay(&database, &nats, &shutdown);
        let published_before = nats.last_sequence().await;
        eventually(
            Duration::from_secs(30),
            "the relay to publish more",
            || async {
                (status.report().published_position > published_before as i64 + 200).then_some(())
            },
        )
        .await;
        // A crash: the task is dropped wherever it is, acknowledgements in flight.
        relay.abort();
        let _ = relay.await;
        shutdown.cancel();
    }
    writer.await.unwrap();

    let shutdown = CancellationToken::new();
    let (status, _relay) = start_relay(&database, &nats, &shutdown);
    let head = LogReader::new(database.pool.clone()).head().await.unwrap();
    eventually(
        Duration::from_secs(60),
        "the restarted relay to catch up",
        || async {
            (status.report().published_position == head.0 && status.report().lag == 0).then_some(())
        },
    )
    .await;
    assert_eq!(head.0, 3_000);
    assert_stream_mirrors_log(&database, &nats).await;
    shutdown.cancel();
    nats.delete_stream().await;
}

#[tokio::test]
async fn a_second_relay_waits_and_takes_over_when_the_first_stops() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let log = database.event_log();
    let tenant = TenantId::new_v7();

    let first_shutdown = CancellationToken::new();
    let (first, _first_task) = start_relay(&database, &nats, &first_shutdown);
    eventually(
        Duration::from_secs(10),
        "the first relay to lead",
        || async { (first.report().role == "active").then_some(()) },
    )
    .await;
    let second_shutdown = CancellationToken::new();
    let (second, _second_task) = start_relay(&database, &nats, &second_shutdown);

    let outcome = log
        .append(messages(
            &conversation(tenant),
            ExpectedVersion::Any,
            10,
            "before",
        ))
        .await
        .unwrap();
    eventually(Duration::from_secs(20), "publication", || async {
        (first.report().published_position == outcome.position.0).then_some(())
    })
    .await;
    assert_eq!(second.report().role, "standby", "only one relay publishes");

    first_shutdown.cancel();
    let outcome = log
        .append(messages(
            &conversation(tenant),
            ExpectedVersion::Any,
            10,
            "after",
        ))
        .await
        .unwrap();
    eventually(
        Duration::from_secs(20),
        "the standby to take over and publish",
        || async {
            (second.report().role == "active"
                && second.report().published_position == outcome.position.0)
                .then_some(())
        },
    )
    .await;
    assert_stream_mirrors_log(&database, &nats).await;
    second_shutdown.cancel();
    nats.delete_stream().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_command_service_killed_while_relaying_resumes_without_loss_or_duplicates() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let env = nats.service_env(&database);
    let log = database.event_log();
    let tenant = TenantId::new_v7();
    let writer = keep_appending(&log, tenant, 40);

    let mut service = ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &env).await;
    eventually(
        Duration::from_secs(30),
        "the service to publish part of the log",
        || async { (nats.last_sequence().await > 300).then_some(()) },
    )
    .await;
    service.kill().await;
    writer.await.unwrap();

    let _restarted = ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &env).await;
    eventually(
        Duration::from_secs(60),
        "the restarted service to publish the rest",
        || async { (nats.last_sequence().await >= 2_000).then_some(()) },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_stream_mirrors_log(&database, &nats).await;
    nats.delete_stream().await;
}

#[tokio::test]
async fn the_stream_refuses_deleting_and_purging_messages() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let shutdown = CancellationToken::new();
    let (status, _relay) = start_relay(&database, &nats, &shutdown);
    let outcome = database
        .event_log()
        .append(messages(
            &conversation(TenantId::new_v7()),
            ExpectedVersion::Any,
            2,
            "kept",
        ))
        .await
        .unwrap();
    eventually(Duration::from_secs(20), "published", || async {
        (status.report().published_position == outcome.position.0).then_some(())
    })
    .await;
    let stream = nats.jetstream.get_stream(&nats.stream_name).await.unwrap();
    assert!(
        stream.delete_message(2).await.is_err(),
        "deleting is denied"
    );
    assert!(stream.purge().await.is_err(), "purging is denied");
    assert_eq!(nats.read_all().await.len(), 2);
    shutdown.cancel();
    nats.delete_stream().await;
}

/// A stream made before deleting and purging were denied (as an older deployment's).
async fn legacy_stream(nats: &TestNats) {
    nats.delete_stream().await;
    nats.jetstream
        .create_stream(async_nats::jetstream::stream::Config {
            deny_delete: false,
            deny_purge: false,
            ..caselog_eventlog::relay::stream_config(&nats.relay_config())
        })
        .await
        .unwrap();
}

/// Publishes 10 events into a stream that allows deletes, lets `take_away` remove some
/// of its messages while no relay runs, appends 2 more, and checks that a new relay
/// leaves the stream holding the log exactly.
async fn refilled_after(take_away: impl AsyncFnOnce(&async_nats::jetstream::stream::Stream)) {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    legacy_stream(&nats).await;
    let log = database.event_log();
    let tenant = TenantId::new_v7();
    let first = log
        .append(messages(
            &conversation(tenant),
            ExpectedVersion::Any,
            10,
            "first",
        ))
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let (status, relay) = start_relay(&database, &nats, &shutdown);
    eventually(Duration::from_secs(20), "published", || async {
        (status.report().published_position == first.position.0).then_some(())
    })
    .await;
    shutdown.cancel();
    let _ = relay.await;

    let stream = nats.jetstream.get_stream(&nats.stream_name).await.unwrap();
    take_away(&stream).await;
    let second = log
        .append(messages(
            &conversation(tenant),
            ExpectedVersion::Any,
            2,
            "second",
        ))
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let (status, _relay) = start_relay(&database, &nats, &shutdown);
    eventually(Duration::from_secs(20), "published again", || async {
        (status.report().published_position == second.position.0).then_some(())
    })
    .await;
    assert_stream_mirrors_log(&database, &nats).await;
    shutdown.cancel();
    nats.delete_stream().await;
}

#[tokio::test]
async fn a_relay_refills_a_stream_whose_newest_messages_were_deleted() {
    refilled_after(async |stream| {
        for sequence in [8, 9, 10] {
            stream.delete_message(sequence).await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn a_relay_publishes_the_whole_log_again_into_a_purged_stream() {
    refilled_after(async |stream| {
        stream.purge().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_relay_refuses_loudly_to_publish_when_the_stream_is_ahead_of_the_log() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    // As after restoring Postgres from a backup older than the stream.
    let mut ahead = async_nats::HeaderMap::new();
    ahead.insert(headers::POSITION, "1000");
    nats.jetstream
        .publish_with_headers(
            format!("{}.restored", nats.subject_root.as_str()),
            ahead,
            "from before the restore".into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    database
        .event_log()
        .append(messages(
            &conversation(TenantId::new_v7()),
            ExpectedVersion::Any,
            3,
            "after",
        ))
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let (status, _relay) = start_relay(&database, &nats, &shutdown);
    let report = eventually(Duration::from_secs(20), "the refusal", || async {
        let report = status.report();
        (report.state == "retrying").then_some(report)
    })
    .await;
    let error = report.error.unwrap();
    assert!(
        error.contains("1000") && error.contains("restored"),
        "{error}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(nats.last_sequence().await, 1, "nothing was published");
    shutdown.cancel();
    nats.delete_stream().await;
}

/// An upgrade from the version with one consumer per projection: provisioning again
/// deletes those consumers (nothing reads them any more) and keeps the current ones.
#[tokio::test]
async fn provisioning_again_deletes_the_consumers_of_earlier_versions() {
    let nats = TestNats::connect().await;
    let config = nats.relay_config();
    let stream = nats.jetstream.get_stream(&nats.stream_name).await.unwrap();
    for retired in caselog_read_model::RETIRED_CONSUMERS {
        let old = caselog_eventlog::relay::DurableConsumer::projection(retired);
        stream
            .create_consumer(caselog_eventlog::relay::consumer_config(&old, &config))
            .await
            .unwrap();
    }
    let current = caselog_read_model::durable_consumers();
    let provision = || {
        caselog_eventlog::relay::provision(
            &nats.jetstream,
            &config,
            &current,
            &caselog_read_model::RETIRED_CONSUMERS,
        )
    };
    let provisioned = provision().await.unwrap();
    assert_eq!(provisioned.removed, caselog_read_model::RETIRED_CONSUMERS);
    let mut names: Vec<String> = futures::StreamExt::collect::<Vec<_>>(stream.consumer_names())
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    names.sort();
    let mut expected: Vec<String> = caselog_read_model::durable_consumers()
        .iter()
        .map(|durable| durable.name.to_owned())
        .collect();
    expected.sort();
    assert_eq!(names, expected, "only the current consumers are left");
    let again = provision().await.unwrap();
    assert!(again.removed.is_empty(), "provisioning again is harmless");
    nats.delete_stream().await;
}
