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
use crate::headers;

const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
const ID_BASE: &str = "https://caselog.dev/schemas";

/// One generated file: its path under `schemas/generated/` and its text.
pub type Files = BTreeMap<String, String>;

/// Every file of the contract.
pub fn generate() -> Files {
    let mut files = Files::new();
    let mut components = Map::new();
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();

    let envelope = root_schema::<EventEnvelope>();
    let (envelope_body, envelope_defs) = split_defs(envelope);
    files.insert("envelope.schema.json".into(), pretty(&with_header(
        envelope_body.clone(),
        "envelope.schema.json",
        "The envelope of every caselog event: MessagePack (named fields) on NATS, jsonb in the log.",
        &envelope_defs,
    )));
    for (name, schema) in &envelope_defs {
        components.insert(name.clone(), rewrite_refs(schema.clone()));
    }
    components.insert("EventEnvelope".into(), rewrite_refs(envelope_body));
    components.insert("SealedFields".into(), sealed_fields_schema());

    for (stream_type, catalogue) in [
        ("conversation", root_schema::<ConversationEvent>()),
        ("directory", root_schema::<DirectoryEvent>()),
        ("chat_channel", root_schema::<ChatChannelEvent>()),
        ("chat_reader", root_schema::<ChatReaderEvent>()),
        ("checkpoint", root_schema::<CheckpointEvent>()),
        ("access", root_schema::<AccessEvent>()),
    ] {
        let (catalogue, defs) = split_defs(catalogue);
        for (name, schema) in &defs {
            components.insert(name.clone(), rewrite_refs(schema.clone()));
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
            files.insert(
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
            components.insert(key.clone(), rewrite_refs(payload));
            messages.insert(
                key.clone(),
                message(stream_type, &event_type, version, &key),
            );
            channel_messages.insert(
                event_type.clone(),
                json!({"$ref": format!("#/components/messages/{key}")}),
            );
            event_types.push(event_type);
        }
        let channel = format!("{stream_type}Events");
        channels.insert(channel.clone(), json!({
            "address": format!("caselog.v1.{{tenant_id}}.{stream_type}.{{event_type}}"),
            "title": format!("{stream_type} events"),
            "description": format!("Every event of every `{stream_type}` stream, one subject per tenant and event type. All subjects live in the JetStream stream `CASELOG`; read them through a durable consumer (analytics: `analytics`)."),
            "parameters": {
                "tenant_id": {"description": "The tenant's id (a UUID)."},
                "event_type": {"enum": event_types, "description": "The event type: also in the `Caselog-Event-Type` header."},
            },
            "messages": channel_messages,
        }));
        operations.insert(
            format!("receive{}", capitalised(&channel)),
            json!({
                "action": "receive",
                "channel": {"$ref": format!("#/channels/{channel}")},
                "summary": format!("Analytics receive {stream_type} events in log position order."),
            }),
        );
    }
    insert_old_versions(&mut files);
    let asyncapi = asyncapi_document(channels, operations, messages, components);
    files.insert("asyncapi.json".into(), pretty(&asyncapi));
    files
}

/// Old versions stay documented: stored events keep the version they were written with.
fn insert_old_versions(files: &mut Files) {
    let closed_v1 = json!({
        "type": "object",
        "properties": {"automatic": {"type": "boolean", "description": "True when the auto-close timer closed it."}},
        "required": ["automatic"],
    });
    let path = "events/conversation/ConversationClosed.v1.schema.json";
    files.insert(
        path.into(),
        pretty(&with_event_header(
            closed_v1,
            path,
            "conversation",
            "ConversationClosed",
            1,
            &BTreeMap::new(),
        )),
    );
}

/// The AsyncAPI document around the channels, operations, messages and schemas.
fn asyncapi_document(
    channels: Map<String, Value>,
    operations: Map<String, Value>,
    messages: Map<String, Value>,
    components: Map<String, Value>,
) -> Value {
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "caselog events",
            "version": "1",
            "description": "The caselog event log, published to NATS JetStream strictly in log position order. Payloads are MessagePack maps of the envelope (ids as strings); personal fields arrive sealed (`sealed`), and stay unreadable once a case is erased. Every event type's payload has its own JSON Schema under schemas/generated/events/.",
        },
        "defaultContentType": "application/msgpack",
        "servers": {
            "local": {
                "host": "127.0.0.1:54222",
                "protocol": "nats",
                "description": "deploy/dev's nats-server; analytics connect as user `analytics` (read-only, through the `analytics` consumer).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "messageTraits": {"caselogHeaders": {"headers": headers_schema()}},
            "schemas": components,
        },
    })
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

fn message(stream_type: &str, event_type: &str, version: i32, key: &str) -> Value {
    json!({
        "name": event_type,
        "title": format!("{event_type} v{version}"),
        "contentType": "application/msgpack",
        "traits": [{"$ref": "#/components/messageTraits/caselogHeaders"}],
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/EventEnvelope"},
                {
                    "type": "object",
                    "properties": {
                        "stream_type": {"const": stream_type},
                        "event_type": {"const": event_type},
                        "schema_version": {"const": version},
                        "payload": {"$ref": format!("#/components/schemas/{key}")},
                    },
                },
            ]
        },
    })
}

fn headers_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "Nats-Msg-Id": {"type": "string", "format": "uuid", "description": "The event id: JetStream drops a re-publish within the duplicate window."},
            headers::EVENT_TYPE: {"type": "string"},
            headers::SCHEMA_VERSION: {"type": "string", "description": "The payload's schema version, as a decimal string."},
            headers::POSITION: {"type": "string", "description": "The log position, as a decimal string: contiguous and in commit order."},
            headers::STREAM_VERSION: {"type": "string", "description": "The version within its stream, as a decimal string."},
            "Content-Type": {"const": "application/msgpack"},
            "traceparent": {"type": "string", "description": "W3C trace context, when the command was traced."},
        },
        "required": ["Nats-Msg-Id", headers::EVENT_TYPE, headers::SCHEMA_VERSION, headers::POSITION, headers::STREAM_VERSION, "Content-Type"],
    })
}

#[cfg(test)]
mod tests;
