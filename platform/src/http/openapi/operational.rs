//! The routes every service mounts for operators and probes (`crate::health`): no
//! token, outside the API's limits.

use serde_json::{Map, Value, json};

pub fn add_paths(paths: &mut Map<String, Value>) {
    let readiness = json!({
        "type": "object",
        "properties": {
            "status": {"enum": ["ready", "not ready", "draining"]},
            "postgres": {"enum": ["up", "down"]},
            "nats": {"enum": ["up", "down"], "description": "Shown, not needed: no service needs NATS to serve."},
            "needs": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["status", "needs"],
    });
    let json_body = |schema: Value| json!({"application/json": {"schema": schema}});
    paths.insert(
        "/healthz".into(),
        operation(
            "The process answers.",
            json!({"200": {"description": "OK", "content": json_body(json!({
                "type": "object", "properties": {"status": {"const": "ok"}}, "required": ["status"],
            }))}}),
        ),
    );
    paths.insert(
        "/readyz".into(),
        operation(
            "The instance can serve: Postgres answers and it is not draining for a shutdown.",
            json!({
                "200": {"description": "Ready", "content": json_body(readiness.clone())},
                "503": {"description": "Not ready, or draining", "content": json_body(readiness)},
            }),
        ),
    );
    paths.insert(
        "/metrics".into(),
        operation(
            "Prometheus metrics, in the text exposition format.",
            json!({"200": {"description": "OK", "content": {
                "text/plain; version=0.0.4": {"schema": {"type": "string"}},
            }}}),
        ),
    );
    paths.insert(
        "/openapi.json".into(),
        operation(
            "This document.",
            json!({"200": {"description": "OK", "content": json_body(json!({"type": "object"}))}}),
        ),
    );
}

fn operation(summary: &str, responses: Value) -> Value {
    json!({"get": {
        "tags": ["operations"],
        "summary": summary,
        "security": [],
        "responses": responses,
    }})
}
