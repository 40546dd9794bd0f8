//! caselog's side: N writers appending one event at a time through one `EventLog` (as
//! concurrent HTTP requests in one command service would), each append awaited.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;

use caselog_eventlog::{
    AppendRequest, EventLog, ExpectedVersion, NewEvent, StreamRef, WriterConfig, head_channel,
};
use caselog_schemas::{Actor, EventMetadata, StreamId, StreamType, TenantId};

use crate::report::Measurement;

pub async fn run(pool: &PgPool, writers: usize, duration: Duration) -> anyhow::Result<Measurement> {
    let log = EventLog::start(pool.clone(), WriterConfig::default(), head_channel());
    let tenant = TenantId::new_v7();
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let histograms = Arc::new(std::sync::Mutex::new(hdrhistogram::Histogram::<u64>::new(
        3,
    )?));

    let mut tasks = Vec::with_capacity(writers);
    for _ in 0..writers {
        let log = log.clone();
        let histograms = histograms.clone();
        tasks.push(tokio::spawn(async move {
            let mut local = hdrhistogram::Histogram::<u64>::new(3).expect("histogram");
            // Each writer works on its own conversation, one event per append.
            let stream = StreamRef {
                tenant_id: tenant,
                stream_type: StreamType::new("conversation").expect("valid"),
                stream_id: StreamId::new_v7(),
            };
            let mut appended = 0u64;
            while Instant::now() < deadline {
                let request = AppendRequest {
                    stream: stream.clone(),
                    expected_version: ExpectedVersion::Any,
                    events: vec![NewEvent {
                        event_type: "MessageSent".into(),
                        schema_version: 1,
                        payload: json!({
                            "text": "Hello, I ordered a blue jacket last week and it has not arrived yet. Could you check?",
                            "channel": "webchat"
                        }),
                    }],
                    metadata: EventMetadata::for_new_command(Actor { user_id: None, role: "agent".into() }),
                    idempotency_key: None,
                    erases_stream: false,
                };
                let begun = Instant::now();
                log.append(request).await.expect("append");
                local.record(begun.elapsed().as_micros().max(1) as u64).expect("record");
                appended += 1;
            }
            histograms.lock().expect("not poisoned").add(&local).expect("same bounds");
            appended
        }));
    }
    let mut appended = 0;
    for task in tasks {
        appended += task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let histogram = histograms.lock().expect("not poisoned").clone();
    Ok(Measurement::from_histogram(
        appended as f64 / elapsed,
        &histogram,
    ))
}
