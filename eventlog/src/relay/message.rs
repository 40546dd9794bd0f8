//! One event as a NATS message: subject, headers and MessagePack payload (README "Subscribing to caselog events").

use async_nats::HeaderMap;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;

use caselog_schemas::{EventEnvelope, SubjectRoot, encode_msgpack, headers};

use super::RelayError;

/// Room kept for the subject and headers within the server's `max_payload`.
const HEADROOM_BYTES: usize = 4 * 1024;

/// Builds the subject and message for one event. An event too large for the server
/// (`max_payload`) is published without its payload, marked `Caselog-Payload-Omitted`,
/// so the stream keeps every position in order and the relay never stalls on it.
pub fn event_message(
    subjects: &SubjectRoot,
    event: &EventEnvelope,
    max_payload: usize,
) -> Result<(String, PublishMessage), RelayError> {
    let mut payload = encode_msgpack(event).map_err(RelayError::jetstream)?;
    let omitted = payload.len() + HEADROOM_BYTES > max_payload;
    if omitted {
        tracing::warn!(position = %event.position, bytes = payload.len(), max_payload,
            "event too large for NATS: published without its payload");
        metrics::counter!("caselog_relay_payloads_omitted_total").increment(1);
        let stub = EventEnvelope {
            payload: serde_json::json!({ "omitted_bytes": payload.len() }),
            ..event.clone()
        };
        payload = encode_msgpack(&stub).map_err(RelayError::jetstream)?;
    }
    let mut header_map = HeaderMap::new();
    if omitted {
        header_map.insert(headers::PAYLOAD_OMITTED, "true");
    }
    header_map.insert(headers::EVENT_TYPE, event.event_type.as_str());
    header_map.insert(
        headers::SCHEMA_VERSION,
        event.schema_version.to_string().as_str(),
    );
    header_map.insert(headers::POSITION, event.position.0.to_string().as_str());
    header_map.insert(
        headers::STREAM_VERSION,
        event.stream_version.0.to_string().as_str(),
    );
    header_map.insert(headers::CONTENT_TYPE, headers::MSGPACK);
    if let Some(trace) = &event.metadata.trace {
        header_map.insert(headers::TRACEPARENT, trace.traceparent.as_str());
        if let Some(state) = &trace.tracestate {
            header_map.insert(headers::TRACESTATE, state.as_str());
        }
    }
    let message = PublishMessage::build()
        .payload(Bytes::from(payload))
        .headers(header_map)
        .message_id(event.event_id.0.to_string());
    Ok((subjects.subject_for(event), message))
}
