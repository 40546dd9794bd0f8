//! Sealing and opening the personal fields of one payload. Pure: the key comes in.
//!
//! A sealed payload keeps its other fields in clear and replaces the personal ones by
//!
//! ```json
//! "sealed": {"alg": "A256GCM", "fields": ["content"], "nonce": "<base64>", "ciphertext": "<base64>"}
//! ```
//!
//! where the ciphertext is the JSON object of the personal fields. The associated data
//! binds it to its tenant, stream and event type, so sealed bytes copied into another
//! event do not open.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};

use caselog_schemas::events::personal::{SEALED_FIELD, personal_fields};

use crate::model::StreamRef;

const ALGORITHM: &str = "A256GCM";

/// A stream's data key (32 random bytes). Never logged, never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random source works");
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0).expect("a 32-byte AES key"))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the sealed fields are not in the sealed format: {0}")]
    Malformed(String),
    #[error(
        "the sealed fields do not open with the stream's key (altered, or moved from another event)"
    )]
    Rejected,
}

fn associated_data(stream: &StreamRef, event_type: &str) -> String {
    format!(
        "caselog-sealed-v1|{}|{}|{}|{event_type}",
        stream.tenant_id, stream.stream_type, stream.stream_id
    )
}

/// True when events of this type carry personal fields and so need the stream's key.
pub fn needs_sealing(stream: &StreamRef, event_type: &str) -> bool {
    !personal_fields(stream.stream_type.as_str(), event_type).is_empty()
}

/// Moves the personal fields of `payload` into its `sealed` field, encrypted.
pub fn seal(key: &DataKey, stream: &StreamRef, event_type: &str, payload: &mut Value) {
    let fields = personal_fields(stream.stream_type.as_str(), event_type);
    let Some(object) = payload.as_object_mut() else {
        return;
    };
    if fields.is_empty() || object.contains_key(SEALED_FIELD) {
        return;
    }
    let mut personal = Map::new();
    for field in fields {
        // An absent optional field is sealed as null, so its absence is not readable either.
        personal.insert(
            field.name.to_owned(),
            object.remove(field.name).unwrap_or(Value::Null),
        );
    }
    let mut in_out = serde_json::to_vec(&Value::Object(personal)).expect("JSON always serialises");
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .expect("the system random source works");
    key.aead()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated_data(stream, event_type).as_bytes()),
            &mut in_out,
        )
        .expect("AES-GCM seals any message this size");
    object.insert(
        SEALED_FIELD.to_owned(),
        json!({
            "alg": ALGORITHM,
            "fields": fields.iter().map(|field| field.name).collect::<Vec<_>>(),
            "nonce": BASE64.encode(nonce),
            "ciphertext": BASE64.encode(&in_out),
        }),
    );
}

/// Puts the personal fields back: opened with `key`, or, when the key is gone
/// (erased), as placeholders. A payload that was never sealed is left as it is.
pub fn open(
    key: Option<&DataKey>,
    stream: &StreamRef,
    event_type: &str,
    payload: &mut Value,
) -> Result<(), OpenError> {
    let Some(object) = payload.as_object_mut() else {
        return Ok(());
    };
    let Some(sealed) = object.remove(SEALED_FIELD) else {
        return Ok(());
    };
    let malformed = |what: &str| OpenError::Malformed(what.to_owned());
    let names: Vec<String> = sealed
        .get("fields")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("no field list"))?
        .iter()
        .map(|name| name.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| malformed("a field name is not a string"))?;

    let Some(key) = key else {
        let known = personal_fields(stream.stream_type.as_str(), event_type);
        for name in names {
            let placeholder = known.iter().find(|field| field.name == name).map_or_else(
                || Value::from(caselog_schemas::events::personal::ERASED),
                |field| field.placeholder(),
            );
            object.insert(name, placeholder);
        }
        return Ok(());
    };

    if sealed.get("alg").and_then(Value::as_str) != Some(ALGORITHM) {
        return Err(malformed("unknown algorithm"));
    }
    let decode = |name: &str| {
        sealed
            .get(name)
            .and_then(Value::as_str)
            .and_then(|text| BASE64.decode(text).ok())
            .ok_or_else(|| malformed(name))
    };
    let nonce: [u8; NONCE_LEN] = decode("nonce")?
        .try_into()
        .map_err(|_| malformed("nonce length"))?;
    let mut in_out = decode("ciphertext")?;
    let plaintext = key
        .aead()
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated_data(stream, event_type).as_bytes()),
            &mut in_out,
        )
        .map_err(|_| OpenError::Rejected)?;
    let Value::Object(personal) =
        serde_json::from_slice(plaintext).map_err(|_| malformed("plaintext is not JSON"))?
    else {
        return Err(malformed("plaintext is not an object"));
    };
    for (name, value) in personal {
        // An optional field that was absent is left absent, as it was appended.
        if !value.is_null() {
            object.insert(name, value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use caselog_schemas::StreamType;

    fn conversation() -> StreamRef {
        StreamRef::new_conversation()
    }

    fn message() -> Value {
        json!({"message_id": "m1", "channel": "sms", "content": {"text": "olá MARKER"}})
    }

    #[test]
    fn sealing_hides_the_personal_fields_and_opening_restores_them() {
        let stream = conversation();
        let key = DataKey::generate();
        let mut payload = message();
        seal(&key, &stream, "MessageReceived", &mut payload);
        let stored = payload.to_string();
        assert!(!stored.contains("MARKER"));
        assert!(payload.get("content").is_none(), "{stored}");
        assert_eq!(payload["channel"], "sms", "other fields stay in clear");

        open(Some(&key), &stream, "MessageReceived", &mut payload).unwrap();
        assert_eq!(payload, message());
    }

    #[test]
    fn without_the_key_the_fields_read_as_placeholders() {
        let stream = conversation();
        let mut payload = message();
        seal(
            &DataKey::generate(),
            &stream,
            "MessageReceived",
            &mut payload,
        );
        open(None, &stream, "MessageReceived", &mut payload).unwrap();
        assert_eq!(payload["content"], json!({"text": "[erased]"}));
        assert_eq!(payload["message_id"], "m1");
    }

    #[test]
    fn another_key_or_another_stream_does_not_open_it() {
        let stream = conversation();
        let key = DataKey::generate();
        let mut payload = message();
        seal(&key, &stream, "MessageReceived", &mut payload);

        let mut wrong_key = payload.clone();
        assert_eq!(
            open(
                Some(&DataKey::generate()),
                &stream,
                "MessageReceived",
                &mut wrong_key
            ),
            Err(OpenError::Rejected)
        );
        let mut moved = payload.clone();
        assert_eq!(
            open(Some(&key), &conversation(), "MessageReceived", &mut moved),
            Err(OpenError::Rejected)
        );
        let mut retyped = payload;
        assert_eq!(
            open(Some(&key), &stream, "MessageSent", &mut retyped),
            Err(OpenError::Rejected)
        );
    }

    #[test]
    fn absent_optional_fields_stay_absent_and_other_events_are_untouched() {
        let stream = StreamRef {
            stream_type: StreamType::new("directory").unwrap(),
            ..conversation()
        };
        let key = DataKey::generate();
        let mut contact = json!({"name": "Ana", "country": "PT"});
        seal(&key, &stream, "ContactUpserted", &mut contact);
        assert!(contact.get("name").is_none());
        open(Some(&key), &stream, "ContactUpserted", &mut contact).unwrap();
        assert_eq!(contact, json!({"name": "Ana", "country": "PT"}));

        let mut group = json!({"name": "Sales"});
        seal(&key, &stream, "GroupUpserted", &mut group);
        assert_eq!(group, json!({"name": "Sales"}));
    }
}
