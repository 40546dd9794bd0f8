//! The AsyncAPI 3.1 document: channels per stream type, a message per event type and
//! schema version, the headers every message carries.

use serde_json::{Map, Value, json};

use crate::headers;

/// The AsyncAPI document around the channels, operations, messages and schemas.
pub(super) fn asyncapi_document(
    channels: Map<String, Value>,
    operations: Map<String, Value>,
    messages: Map<String, Value>,
    components: Map<String, Value>,
) -> Value {
    json!({
        "asyncapi": "3.1.0",
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
                "description": "deploy/dev's nats-server. Integrators read through a subscription of their own: `command-service subscriptions add NAME --tenant T` (or `--all`) prints a NATS user `sub-NAME` and its password, allowed only to pull from and acknowledge the durable consumer `sub-NAME` (filtered to `caselog.v1.<T>.>`) and to receive replies on `_INBOX_sub-NAME`.",
                "security": [{"$ref": "#/components/securitySchemes/subscription"}],
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "messageTraits": {"caselogHeaders": {"headers": headers_schema()}},
            "securitySchemes": {
                "subscription": {
                    "type": "userPassword",
                    "description": "A subscription's NATS user and password, as `subscriptions add` printed them.",
                },
            },
            "schemas": components,
        },
    })
}

pub(super) fn message_ref(key: &str) -> Value {
    json!({"$ref": format!("#/components/messages/{key}")})
}

pub(super) fn message(stream_type: &str, event_type: &str, version: i32, key: &str) -> Value {
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
