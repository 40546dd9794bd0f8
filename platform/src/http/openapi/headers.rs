//! The request headers caselog reads on every command or every read, and the `ETag` a
//! command answers with.

use serde_json::{Map, Value, json};

/// `Idempotency-Key` and `If-Match`, on every command.
pub fn add_command_headers(parameters: &mut Vec<Value>) {
    add(
        parameters,
        json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Makes a retry safe: the same key with the same request answers the first response and appends nothing again; with another request, 422. 1 to 200 printable ASCII characters, not starting with `caselog:`; empty is no key.",
            "schema": {"type": "string", "maxLength": 200, "pattern": "^$|^(?!caselog:)[!-~]([ -~]*[!-~])?$"},
        }),
    );
    add(
        parameters,
        json!({
            "name": "If-Match",
            "in": "header",
            "required": false,
            "description": "The stream version the command expects, as the `ETag` of an earlier answer (`\"3\"`): 409 when the stream has moved since. Empty is no precondition.",
            "schema": {"type": "string", "pattern": "^$|^(W/)?\"[0-9]{1,18}\"$"},
        }),
    );
}

/// `X-Min-Position`, on the reads that wait for it (their extractor declares it).
pub fn min_position() -> utoipa::openapi::path::Parameter {
    serde_json::from_value(json!({
        "name": "X-Min-Position",
        "in": "header",
        "required": false,
        "description": "Read your own write: the answer waits until the read model has applied this log position (a command's `position`), or 503 with `Retry-After` when it has not in time.",
        "schema": {"type": "integer", "format": "int64", "minimum": 0},
    }))
    .expect("a valid parameter")
}

/// The command answer's `ETag`, on the responses that are a `CommandResponse`.
pub fn add_etag(responses: &mut Map<String, Value>) {
    for (status, response) in responses.iter_mut() {
        let is_command_response = response["content"]["application/json"]["schema"]["$ref"]
            == "#/components/schemas/CommandResponse";
        if status.starts_with('2') && is_command_response {
            response["headers"] = json!({"ETag": {"$ref": "#/components/headers/ETag"}});
        }
    }
}

fn add(parameters: &mut Vec<Value>, parameter: Value) {
    let taken = parameters
        .iter()
        .any(|existing| existing["name"] == parameter["name"] && existing["in"] == "header");
    if !taken {
        parameters.push(parameter);
    }
}
