//! One event as a NATS message: subject, headers and MessagePack payload (DESIGN.md §3).

use async_nats::HeaderMap;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;

use caselog_schemas::{EventEnvelope, SubjectRoot, encode_msgpack, headers};

use super::RelayError;

/// Builds the subject and message for one event.
pub fn event_message(
    subjects: &SubjectRoot,
    event: &EventEnvelope,
) -> Result<(String, PublishMessage), RelayError> {
    let payload = encode_msgpack(event).map_err(RelayError::jetstream)?;
    let mut header_map = HeaderMap::new();
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
