//! MessagePack encoding of the envelope for NATS. Named fields (maps, not arrays) keep
//! the payload readable by any MessagePack client and robust to field reordering, and
//! the human-readable flavour writes ids as the same strings the JSON Schemas, the
//! headers and the log show (not as 16-byte binaries).

use serde::{Serialize, de::DeserializeOwned};

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("messagepack encoding failed: {0}")]
    Encode(#[from] rmp_serde::encode::Error),
    #[error("messagepack decoding failed: {0}")]
    Decode(#[from] rmp_serde::decode::Error),
}

pub fn encode_msgpack<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let mut bytes = Vec::new();
    value.serialize(
        &mut rmp_serde::Serializer::new(&mut bytes)
            .with_struct_map()
            .with_human_readable(),
    )?;
    Ok(bytes)
}

pub fn decode_msgpack<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    Ok(T::deserialize(
        &mut rmp_serde::Deserializer::from_read_ref(bytes).with_human_readable(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn ids_travel_as_strings() {
        let id = EventId(uuid::Uuid::nil());
        let bytes = encode_msgpack(&id).unwrap();
        assert_eq!(bytes[0], 0xd9, "a str8, not a bin8");
        assert_eq!(&bytes[2..], id.to_string().as_bytes());
    }

    #[test]
    fn an_envelope_survives_a_messagepack_round_trip() {
        let envelope = EventEnvelope {
            position: Position(42),
            event_id: EventId::new_v7(),
            tenant_id: TenantId::new_v7(),
            stream_type: StreamType::new("conversation").unwrap(),
            stream_id: StreamId::new_v7(),
            stream_version: StreamVersion(3),
            event_type: "ConversationAssigned".into(),
            schema_version: 1,
            payload: serde_json::json!({"assignees": ["a", "b"], "count": 2, "nested": {"x": null}}),
            metadata: EventMetadata::for_new_command(Actor::system()),
            recorded_at: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
            previous_hash: "00".repeat(32),
            hash: "ab".repeat(32),
            tenant_hash: "00".repeat(32),
            log_hash: "00".repeat(32),
        };
        let bytes = encode_msgpack(&envelope).unwrap();
        let decoded: EventEnvelope = decode_msgpack(&bytes).unwrap();
        assert_eq!(decoded, envelope);
    }
}
