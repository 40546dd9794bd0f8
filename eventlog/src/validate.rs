//! Checks an append before it reaches the writer, so one bad request never fails the
//! whole group-commit batch it would have shared.

use serde_json::Value;

use crate::error::AppendError;
use crate::model::AppendRequest;

const MAX_EVENTS_PER_APPEND: usize = 1_000;
const MAX_EVENT_TYPE_LEN: usize = 128;

/// The largest payload one event may store, encoded (after sealing). Far below NATS's
/// `max_payload` (1 MiB by default), so every event the log accepts can be published
/// whole; the relay still copes with one that cannot (see `relay::message`).
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 256 * 1024;

pub fn validate(request: &AppendRequest) -> Result<(), AppendError> {
    if request.events.len() > MAX_EVENTS_PER_APPEND {
        return Err(invalid(format!(
            "at most {MAX_EVENTS_PER_APPEND} events per append"
        )));
    }
    if let Some(key) = &request.idempotency_key
        && (key.is_empty() || key.len() > 255 || key.contains('\0'))
    {
        return Err(invalid(
            "idempotency key must be 1-255 bytes without NUL".to_owned(),
        ));
    }
    for event in &request.events {
        let type_is_token = !event.event_type.is_empty()
            && event.event_type.len() <= MAX_EVENT_TYPE_LEN
            && event
                .event_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !type_is_token {
            return Err(invalid(format!(
                "event type {:?} must be an ASCII identifier",
                event.event_type
            )));
        }
        if event.schema_version < 1 {
            return Err(invalid("schema version starts at 1".to_owned()));
        }
        check_storable(&event.payload, "$")?;
        let size = serde_json::to_vec(&event.payload).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_EVENT_PAYLOAD_BYTES {
            return Err(invalid(format!(
                "the {} event would be {size} bytes encoded; an event holds at most \
                 {MAX_EVENT_PAYLOAD_BYTES}",
                event.event_type
            )));
        }
    }
    Ok(())
}

/// Postgres `jsonb` cannot hold U+0000, and a float may not come back from `jsonb` with
/// the same text it was hashed with (`-0.0` does not), which would make an honest event
/// fail verification. Payloads therefore carry integers only (money in minor units).
fn check_storable(value: &Value, path: &str) -> Result<(), AppendError> {
    match value {
        Value::String(text) if text.contains('\0') => {
            Err(invalid(format!("{path} contains U+0000")))
        }
        Value::Number(number) if number.is_f64() => Err(invalid(format!(
            "{path} is a floating-point number; use integers"
        ))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(index, item)| check_storable(item, &format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            if key.contains('\0') {
                return Err(invalid(format!("{path} has a key containing U+0000")));
            }
            check_storable(item, &format!("{path}.{key}"))
        }),
        _ => Ok(()),
    }
}

fn invalid(reason: String) -> AppendError {
    AppendError::InvalidEvent(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use caselog_schemas::*;
    use serde_json::json;

    fn request_with(payload: Value, event_type: &str) -> AppendRequest {
        AppendRequest {
            stream: StreamRef {
                tenant_id: TenantId::new_v7(),
                stream_type: StreamType::new("conversation").unwrap(),
                stream_id: StreamId::new_v7(),
            },
            expected_version: ExpectedVersion::Any,
            events: vec![NewEvent {
                event_type: event_type.into(),
                schema_version: 1,
                payload,
            }],
            metadata: EventMetadata::for_new_command(Actor::system()),
            idempotency_key: None,
            request_fingerprint: None,
            erases_stream: false,
        }
    }

    #[test]
    fn ordinary_payloads_pass() {
        let payload = json!({"text": "olá 👋", "amount_minor": 1250, "tags": ["a"], "none": null});
        assert!(validate(&request_with(payload, "MessageSent")).is_ok());
    }

    #[test]
    fn a_nul_character_is_refused_with_its_path() {
        let error = validate(&request_with(
            json!({"items": [{"text": "a\u{0}b"}]}),
            "MessageSent",
        ));
        let Err(AppendError::InvalidEvent(reason)) = error else {
            panic!("expected a refusal")
        };
        assert!(reason.contains("$.items[0].text"), "{reason}");
    }

    #[test]
    fn floats_are_refused() {
        assert!(validate(&request_with(json!({"score": -0.0}), "ConversationRated")).is_err());
    }

    #[test]
    fn event_types_must_be_identifiers() {
        assert!(validate(&request_with(json!({}), "Conversation.Started")).is_err());
        assert!(validate(&request_with(json!({}), "")).is_err());
    }
}
