//! The problem responses (RFC 9457, `application/problem+json`) every operation may
//! answer, each with the stable `type`s its status carries.

use serde_json::{Map, Value, json};

use crate::http::problem::ProblemType;

/// What an operation can be refused for, beyond its own annotations.
pub struct Refusals {
    /// Behind a bearer token: 401, 403, 404 (invisible is not found), 422, 429.
    pub authenticated: bool,
    /// Takes a body: 400 (not JSON), 413, 415.
    pub has_body: bool,
    /// Appends to a stream: 409 when `If-Match` no longer holds or the id is taken.
    pub conflict: bool,
    /// A path segment that is not a UUID is 400.
    pub path_parameters: bool,
}

/// The reusable responses under `components.responses`, by status.
const RESPONSES: &[(&str, &str, &[ProblemType])] = &[
    ("400", "Malformed", &[ProblemType::Malformed]),
    ("401", "Unauthorized", &[ProblemType::Unauthorized]),
    ("403", "Forbidden", &[ProblemType::Forbidden]),
    ("404", "NotFound", &[ProblemType::NotFound]),
    ("409", "Conflict", &[ProblemType::Conflict]),
    ("413", "PayloadTooLarge", &[ProblemType::PayloadTooLarge]),
    (
        "415",
        "UnsupportedMediaType",
        &[ProblemType::UnsupportedMediaType],
    ),
    (
        "422",
        "Unprocessable",
        &[ProblemType::Validation, ProblemType::Rule],
    ),
    ("429", "TooManyRequests", &[ProblemType::TooManyRequests]),
    ("500", "Internal", &[ProblemType::Internal]),
    ("503", "Unavailable", &[ProblemType::Unavailable]),
];

pub fn add_components(components: &mut Map<String, Value>) {
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("schemas is an object");
    schemas.insert("Problem".into(), problem_schema());
    components.insert(
        "headers".into(),
        json!({
            "RetryAfter": {
                "description": "Seconds to wait before trying again.",
                "required": true,
                "schema": {"type": "integer", "minimum": 0},
            },
            "WWWAuthenticate": {
                "description": "`Bearer`: the scheme to authenticate with.",
                "required": true,
                "schema": {"type": "string"},
            },
            "ETag": {
                "description": "The stream's version after the command, quoted: send it back as `If-Match`.",
                "required": true,
                "schema": {"type": "string", "pattern": "^\"[0-9]+\"$"},
            },
        }),
    );
    let responses: Map<String, Value> = RESPONSES
        .iter()
        .map(|(status, name, kinds)| ((*name).to_owned(), response(status, kinds)))
        .collect();
    components.insert("responses".into(), Value::Object(responses));
}

pub fn add_responses(responses: &mut Map<String, Value>, refusals: &Refusals) {
    let wanted = |status: &str| match status {
        "400" => refusals.has_body || refusals.path_parameters,
        "401" | "403" | "404" | "422" | "429" => refusals.authenticated,
        "409" => refusals.conflict,
        "413" | "415" => refusals.has_body,
        _ => true,
    };
    for (status, name, _) in RESPONSES {
        if wanted(status) && !responses.contains_key(*status) {
            responses.insert(
                (*status).to_owned(),
                json!({"$ref": format!("#/components/responses/{name}")}),
            );
        }
    }
}

/// The reason phrase, as a success response's description.
pub fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No Content",
        _ => "The response",
    }
}

fn problem_schema() -> Value {
    let types: Vec<&str> = ProblemType::ALL.iter().map(|kind| kind.uri()).collect();
    json!({
        "type": "object",
        "description": "An RFC 9457 problem. Switch on `type`, which is stable; `title` goes with the type, `detail` is for people.",
        "properties": {
            "type": {"type": "string", "enum": types},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "`urn:caselog:request:<id>`: the request id, also in the `X-Request-Id` header and the service's log lines."},
        },
        "required": ["type", "title", "status", "detail"],
    })
}

fn response(status: &str, kinds: &[ProblemType]) -> Value {
    let types: Vec<&str> = kinds.iter().map(|kind| kind.uri()).collect();
    let description = kinds
        .iter()
        .map(|kind| format!("`{}`: {}", kind.uri(), kind.title()))
        .collect::<Vec<_>>()
        .join("; ");
    let mut response = json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {
            "allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {"type": "object", "properties": {
                    "type": {"enum": types},
                    "status": {"const": status.parse::<u16>().expect("a status")},
                }},
            ],
        }}},
    });
    match status {
        "429" | "503" => {
            response["headers"] =
                json!({"Retry-After": {"$ref": "#/components/headers/RetryAfter"}});
        }
        "401" => {
            response["headers"] =
                json!({"WWW-Authenticate": {"$ref": "#/components/headers/WWWAuthenticate"}});
        }
        _ => {}
    }
    response
}
