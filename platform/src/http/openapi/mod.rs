//! Serving a service's OpenAPI 3.1 document. Paths, parameters, bodies and success
//! responses come from the handlers' own annotations (collected by each router, so they
//! cannot drift from the code); [`finish`] adds what every caselog route shares and no
//! handler should repeat: the bearer scheme, the problem responses with their stable
//! `type`s, the command and read headers, and the operational routes.

mod headers;

pub use headers::min_position;
mod operational;
mod problems;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi as Document;

/// Which service a document describes: it decides the shared headers and problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Commands: `Idempotency-Key` and `If-Match` on every change; 409 on a moved stream.
    Command,
    /// Reads: `X-Min-Position` on every read.
    Query,
    /// The projection status, for operators; no token.
    Projection,
}

/// The document as served: the annotations' paths with everything shared added.
pub fn finish(document: Document, service: Service) -> Value {
    let mut document = serde_json::to_value(document).expect("an OpenAPI document serialises");
    document["openapi"] = json!("3.1.0");
    let components = object(&mut document, "components");
    problems::add_components(components);
    components.insert(
        "securitySchemes".into(),
        json!({"bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An HS256 token with `sub` (user), `tenant`, `role` and `exp`; `command-service token` mints one.",
        }}),
    );
    if service == Service::Projection {
        document
            .as_object_mut()
            .expect("an object")
            .remove("security");
    } else {
        document["security"] = json!([{"bearer": []}]);
    }
    let paths = object(&mut document, "paths");
    for (path, item) in paths.iter_mut() {
        let Some(operations) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            finish_operation(service, path, method, operation);
        }
    }
    operational::add_paths(paths);
    document
}

fn finish_operation(service: Service, path: &str, method: &str, operation: &mut Value) {
    let authenticated = service != Service::Projection;
    let has_body = operation.get("requestBody").is_some();
    // Webhook endpoints are configuration kept beside the log, not appends to it: no
    // stream version or idempotency key applies to them.
    let appends = service == Service::Command
        && method != "get"
        && !operation["tags"]
            .as_array()
            .is_some_and(|tags| tags.iter().any(|tag| tag == "webhooks"));
    // `get_mut`, not indexing: indexing a missing key would insert a `null`.
    if let Some(content) = content_of(operation.get_mut("requestBody")) {
        bytes_as_binary(content);
    }
    let responses = object(operation, "responses");
    for (status, response) in responses.iter_mut() {
        if response.get("description").is_none() {
            response["description"] = json!(problems::reason(status));
        }
        if let Some(content) = content_of(Some(response)) {
            bytes_as_binary(content);
        }
    }
    if appends {
        headers::add_etag(responses);
    }
    problems::add_responses(
        responses,
        &problems::Refusals {
            authenticated,
            has_body,
            conflict: appends,
            path_parameters: path.contains('{'),
        },
    );
    let parameters = array(operation, "parameters");
    if appends {
        headers::add_command_headers(parameters);
    }
    if parameters.is_empty() {
        operation
            .as_object_mut()
            .expect("an object")
            .remove("parameters");
    }
}

fn content_of(described: Option<&mut Value>) -> Option<&mut Map<String, Value>> {
    described?.get_mut("content")?.as_object_mut()
}

/// A file (a PDF, a ZIP, an upload) is bytes, not the array of integers a `Vec<u8>`
/// annotation describes.
fn bytes_as_binary(content: &mut Map<String, Value>) {
    for (media_type, body) in content.iter_mut() {
        let structured = media_type.contains("json") || media_type == "text/event-stream";
        if !structured {
            body["schema"] = json!({"type": "string", "format": "binary"});
        }
    }
}

/// `GET /openapi.json`.
pub fn openapi_router<S: Clone + Send + Sync + 'static>(document: Value) -> Router<S> {
    let document = Arc::new(document);
    Router::new().route(
        "/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
}

fn object<'a>(value: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let entry = value
        .as_object_mut()
        .expect("an OpenAPI object")
        .entry(key)
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    entry.as_object_mut().expect("made an object")
}

fn array<'a>(value: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    let entry = value
        .as_object_mut()
        .expect("an OpenAPI object")
        .entry(key)
        .or_insert_with(|| json!([]));
    if !entry.is_array() {
        *entry = json!([]);
    }
    entry.as_array_mut().expect("made an array")
}

#[cfg(test)]
mod tests;
