//! The NATS contract as files (README "Subscribing to caselog events"): a JSON Schema per event type and schema
//! version, describing the payload exactly as published (personal fields sealed), the
//! envelope's schema, and an AsyncAPI 3 document for the subjects. Generated from the
//! event types themselves; `cargo run -p caselog-schemas --bin generate-contract`
//! writes them to `schemas/generated/`, and a test fails when the files are stale.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::envelope::EventEnvelope;
use crate::events::personal::{SEALED_FIELD, personal_fields};
use crate::events::upcast::current_schema_version;
use crate::events::{
    AccessEvent, ChatChannelEvent, ChatReaderEvent, CheckpointEvent, ConversationEvent,
    DirectoryEvent,
};
use asyncapi::{asyncapi_document, message, message_ref};
use old_versions::{OLD_VERSIONS, insert_old_versions};

const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
const ID_BASE: &str = "https://caselog.dev/schemas";

/// One generated file: its path under `schemas/generated/` and its text.
pub type Files = BTreeMap<String, String>;

/// Every file of the contract.
pub fn generate() -> Files {
    let mut contract = Contract::default();
    contract.add_envelope();
    for (stream_type, catalogue) in [
        ("conversation", root_schema::<ConversationEvent>()),
        ("directory", root_schema::<DirectoryEvent>()),
        ("chat_channel", root_schema::<ChatChannelEvent>()),
        ("chat_reader", root_schema::<ChatReaderEvent>()),
        ("checkpoint", root_schema::<CheckpointEvent>()),
        ("access", root_schema::<AccessEvent>()),
    ] {
        contract.add_stream_type(stream_type, catalogue);
    }
    insert_old_versions(&mut contract.files);
    let asyncapi = asyncapi_document(
        contract.channels,
        contract.operations,
        contract.messages,
        contract.components,
    );
    contract
        .files
        .insert("asyncapi.json".into(), pretty(&asyncapi));
    contract.files
}

#[cfg(test)]
mod event_type_tests {
    #[test]
    fn every_event_type_is_listed_once_without_its_version() {
        let types = super::event_types();
        for known in [
            "ConversationStarted",
            "ConversationClosed",
            "UserUpserted",
            "CheckpointSigned",
        ] {
            assert!(types.contains(known), "{known}");
        }
        assert!(
            types
                .iter()
                .all(|name| !name.contains('.') && !name.is_empty())
        );
    }
}

/// Every event type name of the contract (`ConversationOpened`, …), every stream type's.
pub fn event_types() -> &'static std::collections::BTreeSet<String> {
    static TYPES: std::sync::OnceLock<std::collections::BTreeSet<String>> =
        std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        generate()
            .keys()
            .filter_map(|path| path.strip_prefix("events/"))
            .filter_map(|path| path.split('/').nth(1))
            .filter_map(|file| file.split('.').next())
            .map(str::to_owned)
            .collect()
    })
}

/// The contract as it is assembled: the schema files and the AsyncAPI document's parts.
#[derive(Default)]
struct Contract {
    files: Files,
    components: Map<String, Value>,
    channels: Map<String, Value>,
    operations: Map<String, Value>,
    messages: Map<String, Value>,
}

impl Contract {
    fn add_envelope(&mut self) {
        let envelope = root_schema::<EventEnvelope>();
        let (envelope_body, envelope_defs) = split_defs(envelope);
        self.files.insert("envelope.schema.json".into(), pretty(&with_header(
            envelope_body.clone(),
            "envelope.schema.json",
            "The envelope of every caselog event: MessagePack (named fields) on NATS, jsonb in the log.",
            &envelope_defs,
        )));
        for (name, schema) in &envelope_defs {
            self.components
                .insert(name.clone(), rewrite_refs(schema.clone()));
        }
        self.components
            .insert("EventEnvelope".into(), rewrite_refs(envelope_body));
        self.components
            .insert("SealedFields".into(), sealed_fields_schema());
    }

    /// One channel per stream type, with a message per event type and schema version.
    fn add_stream_type(&mut self, stream_type: &str, catalogue: Value) {
        let (catalogue, defs) = split_defs(catalogue);
        for (name, schema) in &defs {
            self.components
                .insert(name.clone(), rewrite_refs(schema.clone()));
        }
        let mut channel_messages = Map::new();
        let mut event_types = Vec::new();
        for variant in catalogue["oneOf"].as_array().cloned().unwrap_or_default() {
            let event_type = variant["properties"]["event_type"]["const"]
                .as_str()
                .expect("every event names its type")
                .to_owned();
            let version = current_schema_version(stream_type, &event_type);
            let payload = stored_payload(
                stream_type,
                &event_type,
                variant["properties"]["payload"].clone(),
            );
            let path = format!("events/{stream_type}/{event_type}.v{version}.schema.json");
            let used = used_defs(&payload, &defs);
            self.files.insert(
                path.clone(),
                pretty(&with_event_header(
                    payload.clone(),
                    &path,
                    stream_type,
                    &event_type,
                    version,
                    &used,
                )),
            );
            let key = format!("{stream_type}.{event_type}");
            self.add_message(
                stream_type,
                &event_type,
                version,
                &key,
                rewrite_refs(payload),
            );
            channel_messages.insert(event_type.clone(), message_ref(&key));
            event_types.push(event_type);
        }
        for old in OLD_VERSIONS
            .iter()
            .filter(|old| old.stream_type == stream_type)
        {
            let key = format!("{stream_type}.{}.v{}", old.event_type, old.version);
            self.add_message(
                stream_type,
                old.event_type,
                old.version,
                &key,
                (old.payload)(),
            );
            channel_messages.insert(
                format!("{}V{}", old.event_type, old.version),
                message_ref(&key),
            );
        }
        let channel = format!("{stream_type}Events");
        self.channels.insert(channel.clone(), json!({
            "address": format!("caselog.v1.{{tenant_id}}.{stream_type}.{{event_type}}"),
            "title": format!("{stream_type} events"),
            "description": format!("Every event of every `{stream_type}` stream, one subject per tenant and event type. All subjects live in the JetStream stream `CASELOG`; read them through a durable consumer (analytics: `analytics`)."),
            "parameters": {
                "tenant_id": {"description": "The tenant's id (a UUID)."},
                "event_type": {"enum": event_types, "description": "The event type: also in the `Caselog-Event-Type` header."},
            },
            "messages": channel_messages,
        }));
        self.operations.insert(
            format!("receive{}", capitalised(&channel)),
            json!({
                "action": "receive",
                "channel": {"$ref": format!("#/channels/{channel}")},
                "summary": format!("Analytics receive {stream_type} events in log position order."),
            }),
        );
    }

    fn add_message(
        &mut self,
        stream_type: &str,
        event_type: &str,
        version: i32,
        key: &str,
        payload: Value,
    ) {
        self.components.insert(key.to_owned(), payload);
        self.messages.insert(
            key.to_owned(),
            message(stream_type, event_type, version, key),
        );
    }
}

fn root_schema<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("a schema serialises")
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON serialises");
    text.push('\n');
    text
}

fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    characters
        .next()
        .map(|first| first.to_uppercase().chain(characters).collect())
        .unwrap_or_default()
}

/// Separates a root schema from its `$defs`.
fn split_defs(mut schema: Value) -> (Value, BTreeMap<String, Value>) {
    let defs = schema
        .as_object_mut()
        .and_then(|object| object.remove("$defs"))
        .and_then(|defs| serde_json::from_value(defs).ok())
        .unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    (schema, defs)
}

/// The definitions `schema` refers to, transitively.
fn used_defs(schema: &Value, defs: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let mut used = BTreeMap::new();
    let mut pending = refs(schema);
    while let Some(name) = pending.pop() {
        if used.contains_key(&name) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            pending.extend(refs(def));
            used.insert(name, def.clone());
        }
    }
    used
}

fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(object) => object
            .iter()
            .flat_map(|(key, value)| match (key.as_str(), value) {
                ("$ref", Value::String(target)) => target
                    .strip_prefix("#/$defs/")
                    .map(|name| vec![name.to_owned()])
                    .unwrap_or_default(),
                _ => refs(value),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

/// `#/$defs/X` -> `#/components/schemas/X`, for the AsyncAPI document.
fn rewrite_refs(value: Value) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| match (key.as_str(), &value) {
                    ("$ref", Value::String(target)) if target.starts_with("#/$defs/") => {
                        let name = target.trim_start_matches("#/$defs/");
                        (key, Value::from(format!("#/components/schemas/{name}")))
                    }
                    _ => (key, rewrite_refs(value)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(rewrite_refs).collect()),
        other => other,
    }
}

/// The payload as published: personal fields moved into `sealed`.
fn stored_payload(stream_type: &str, event_type: &str, mut payload: Value) -> Value {
    let personal = personal_fields(stream_type, event_type);
    if personal.is_empty() {
        return payload;
    }
    let names: Vec<&str> = personal.iter().map(|field| field.name).collect();
    if let Some(properties) = payload["properties"].as_object_mut() {
        for name in &names {
            properties.remove(*name);
        }
        properties.insert(
            SEALED_FIELD.into(),
            json!({
                "$ref": "#/$defs/SealedFields",
                "description": format!("The personal fields {}, sealed under the stream's key; unreadable once the stream is erased.", names.join(", ")),
            }),
        );
    }
    // `get_mut`, not indexing: indexing a missing key would insert `"required": null`,
    // which no JSON Schema validator accepts.
    if let Some(required) = payload.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| !names.contains(&name.as_str().unwrap_or_default()));
        required.push(Value::from(SEALED_FIELD));
    }
    payload
}

fn sealed_fields_schema() -> Value {
    json!({
        "description": "Personal fields encrypted with AES-256-GCM under a key of their stream (crypto-shredding). The ciphertext is the JSON object of the fields named in `fields`; its associated data is `caselog-sealed-v1|<tenant_id>|<stream_type>|<stream_id>|<event_type>`.",
        "type": "object",
        "properties": {
            "alg": {"const": "A256GCM"},
            "fields": {"type": "array", "items": {"type": "string"}},
            "nonce": {"type": "string", "contentEncoding": "base64"},
            "ciphertext": {"type": "string", "contentEncoding": "base64"},
        },
        "required": ["alg", "fields", "nonce", "ciphertext"],
    })
}

fn with_header(
    body: Value,
    path: &str,
    description: &str,
    defs: &BTreeMap<String, Value>,
) -> Value {
    let mut schema = Map::new();
    schema.insert("$schema".into(), Value::from(SCHEMA_DIALECT));
    schema.insert("$id".into(), Value::from(format!("{ID_BASE}/{path}")));
    schema.insert("description".into(), Value::from(description));
    if let Value::Object(body) = body {
        for (key, value) in body {
            schema.entry(key).or_insert(value);
        }
    }
    if !defs.is_empty() {
        schema.insert("$defs".into(), json!(defs));
    }
    Value::Object(schema)
}

fn with_event_header(
    payload: Value,
    path: &str,
    stream_type: &str,
    event_type: &str,
    version: i32,
    defs: &BTreeMap<String, Value>,
) -> Value {
    let mut defs = defs.clone();
    if payload["properties"].get(SEALED_FIELD).is_some() {
        defs.insert("SealedFields".into(), sealed_fields_schema());
    }
    let mut schema = with_header(
        payload,
        path,
        &format!(
            "The payload of `{event_type}` (schema version {version}) on subjects caselog.v1.<tenant_id>.{stream_type}.{event_type}, as published."
        ),
        &defs,
    );
    schema["title"] = Value::from(format!("{event_type} v{version}"));
    schema["x-caselog-stream-type"] = Value::from(stream_type);
    schema["x-caselog-event-type"] = Value::from(event_type);
    schema["x-caselog-schema-version"] = Value::from(version);
    schema
}

mod asyncapi;
mod old_versions;

#[cfg(test)]
mod tests;
