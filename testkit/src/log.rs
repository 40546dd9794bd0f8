//! Building appends and reading the log back in tests.

use serde_json::json;

use caselog_eventlog::{AppendRequest, EventLog, ExpectedVersion, NewEvent, StreamRef};
use caselog_schemas::{
    Actor, EventEnvelope, EventMetadata, Position, StreamId, StreamType, TenantId,
};

pub fn conversation(tenant_id: TenantId) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("conversation").unwrap(),
        stream_id: StreamId::new_v7(),
    }
}

/// An append of `events` MessageSent events with a recognisable payload.
pub fn messages(
    stream: &StreamRef,
    expected_version: ExpectedVersion,
    events: usize,
    label: &str,
) -> AppendRequest {
    AppendRequest {
        stream: stream.clone(),
        expected_version,
        events: (0..events)
            .map(|i| NewEvent {
                event_type: "MessageSent".to_owned(),
                schema_version: 1,
                payload: json!({"text": format!("{label} #{i}"), "channel": "webchat"}),
            })
            .collect(),
        metadata: EventMetadata::for_new_command(Actor {
            user_id: None,
            role: "agent".to_owned(),
        }),
        idempotency_key: None,
        request_fingerprint: None,
        erases_stream: false,
    }
}

/// The whole log, in position order.
pub async fn whole_log(reader: &caselog_eventlog::LogReader) -> Vec<EventEnvelope> {
    let mut all = Vec::new();
    let mut after = Position::BEFORE_FIRST;
    loop {
        let page = reader.read_after(after, 5_000).await.expect("read the log");
        let Some(last) = page.last() else { return all };
        after = last.position;
        all.extend(page);
    }
}

/// Appends `rounds` × 50 single-event appends, 50 at a time, each to a new conversation.
pub fn keep_appending(
    log: &EventLog,
    tenant_id: TenantId,
    rounds: usize,
) -> tokio::task::JoinHandle<()> {
    let log = log.clone();
    tokio::spawn(async move {
        for round in 0..rounds {
            let appends = (0..50).map(|i| {
                log.append(messages(
                    &conversation(tenant_id),
                    ExpectedVersion::Any,
                    1,
                    &format!("{round}/{i}"),
                ))
            });
            for result in futures::future::join_all(appends).await {
                result.expect("append");
            }
        }
    })
}
