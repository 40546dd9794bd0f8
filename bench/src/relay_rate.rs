//! The relay's publish rate: a fresh stream, a log it has not published, the time until
//! JetStream has acknowledged all of it.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::relay::{Relay, RelayConfig, RelayStatus};
use caselog_eventlog::{
    AppendRequest, EventLog, ExpectedVersion, LogReader, NewEvent, StreamRef, WriterConfig,
    head_channel,
};
use caselog_schemas::{Actor, EventMetadata, StreamId, StreamType, SubjectRoot, TenantId};

use crate::database::BenchDatabase;

pub struct RelayRate {
    pub events: usize,
    pub per_second: f64,
}

pub async fn run(
    database: &BenchDatabase,
    nats_url: &str,
    events: usize,
) -> anyhow::Result<RelayRate> {
    // Fill the log first (the benchmark rounds already wrote some; count from the head).
    let log = EventLog::start(
        database.pool.clone(),
        WriterConfig::default(),
        head_channel(),
    );
    let tenant = TenantId::new_v7();
    let stream_type = StreamType::new("conversation")?;
    for chunk in 0..events.div_ceil(1_000) {
        let appends = (0..1_000).map(|i| {
            log.append(AppendRequest {
                stream: StreamRef {
                    tenant_id: tenant,
                    stream_type: stream_type.clone(),
                    stream_id: StreamId::new_v7(),
                },
                expected_version: ExpectedVersion::Any,
                events: vec![NewEvent {
                    event_type: "MessageSent".into(),
                    schema_version: 1,
                    payload: json!({"text": format!("{chunk}/{i}")}),
                }],
                metadata: EventMetadata::for_new_command(Actor::system()),
                idempotency_key: None,
                erases_stream: false,
            })
        });
        for result in join_all(appends).await {
            result?;
        }
    }
    let reader = LogReader::new(database.pool.clone());
    let head = reader.head().await?;

    let client = async_nats::connect(nats_url).await?;
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let config = RelayConfig {
        stream_name: format!("BENCH_{unique}"),
        subjects: SubjectRoot::new(format!("bench_{unique}.v1")),
        ..RelayConfig::default()
    };
    let stream_name = config.stream_name.clone();
    let status = RelayStatus::default();
    let shutdown = CancellationToken::new();
    let relay = Relay::new(
        reader,
        client.clone(),
        head_channel().subscribe(),
        config,
        status.clone(),
    );
    let started = Instant::now();
    tokio::spawn(relay.run(shutdown.clone()));
    while status.report().published_position < head.0 {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "the relay did not finish within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    shutdown.cancel();
    let _ = async_nats::jetstream::new(client)
        .delete_stream(&stream_name)
        .await;
    Ok(RelayRate {
        events: head.0 as usize,
        per_second: head.0 as f64 / elapsed,
    })
}
