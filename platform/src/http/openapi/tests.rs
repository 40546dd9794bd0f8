use serde_json::{Value, json};
use utoipa::openapi::OpenApi as Document;

use super::{Service, finish};

fn document(paths: Value) -> Document {
    serde_json::from_value(json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    }))
    .unwrap()
}

fn command_route() -> Value {
    json!({"/v1/things/{id}": {"post": {
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommandResponse"}}}}},
    }}})
}

#[test]
fn a_command_gets_its_headers_problems_and_etag() {
    let finished = finish(document(command_route()), Service::Command);
    let operation = &finished["paths"]["/v1/things/{id}"]["post"];
    let headers: Vec<&str> = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|parameter| parameter["in"] == "header")
        .map(|parameter| parameter["name"].as_str().unwrap())
        .collect();
    assert_eq!(headers, ["Idempotency-Key", "If-Match"]);
    let responses = operation["responses"].as_object().unwrap();
    let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
    for status in [
        "200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "503",
    ] {
        assert!(statuses.contains(&status), "{status} in {statuses:?}");
    }
    assert_eq!(responses["200"]["description"], "OK");
    assert!(responses["200"]["headers"].get("ETag").is_some());
    assert_eq!(finished["security"], json!([{"bearer": []}]));
    let unprocessable = &finished["components"]["responses"]["Unprocessable"];
    let types = &unprocessable["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"]
        ["type"]["enum"];
    assert_eq!(types, &json!(["caselog:validation", "caselog:rule"]));
}

#[test]
fn a_read_gets_no_command_headers_and_files_are_binary() {
    let paths = json!({"/v1/report.pdf": {"get": {"responses": {"200": {"content": {
        "application/pdf": {"schema": {"type": "array", "items": {"type": "integer"}}},
    }}}}}});
    let finished = finish(document(paths), Service::Query);
    let operation = &finished["paths"]["/v1/report.pdf"]["get"];
    assert!(operation.get("parameters").is_none());
    assert!(
        operation.get("requestBody").is_none(),
        "nothing is invented"
    );
    assert_eq!(
        operation["responses"]["200"]["content"]["application/pdf"]["schema"],
        json!({"type": "string", "format": "binary"})
    );
    let statuses = operation["responses"].as_object().unwrap();
    assert!(!statuses.contains_key("409") && !statuses.contains_key("413"));
    assert!(
        !statuses.contains_key("400"),
        "no body and no path parameter"
    );
}

#[test]
fn the_projection_service_needs_no_token_and_every_service_lists_its_probes() {
    let finished = finish(document(json!({})), Service::Projection);
    assert!(finished.get("security").is_none());
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert_eq!(
            finished["paths"][path]["get"]["security"],
            json!([]),
            "{path}"
        );
    }
    assert!(no_nulls(&finished));
}

fn no_nulls(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => items.iter().all(no_nulls),
        Value::Object(fields) => fields.values().all(no_nulls),
        _ => true,
    }
}
