//! A JSON body extractor whose refusals are problems: 400 for a body that is not JSON,
//! 415 for one not declared as JSON, 413 for one over the limit, 422 for JSON of the
//! wrong shape (a missing field, a string where a number belongs) or with a text longer
//! than [`MAX_TEXT_CHARS`].
//!
//! One limit for every text field of every command, checked before anything is
//! decided: a message, a note or a name that a person wrote fits many times over, and
//! no single field can grow an event past what the log and NATS carry.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::problem::{Problem, ProblemType};

pub struct JsonBody<T>(pub T);

/// The most characters (Unicode scalar values) any text field of a request may hold.
pub const MAX_TEXT_CHARS: usize = 32_768;

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(&request) {
            return Err(Problem::new(
                ProblemType::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    Problem::new(ProblemType::Malformed, rejection.body_text())
                }
            })?;
        // serde reads a struct from an array too (`[null, null]`): every body is an object.
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            return Err(Problem::new(
                ProblemType::Malformed,
                "the body must be a JSON object",
            ));
        }
        let value = match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => value,
            // JSON Schema counts `2.0` as an integer, as the OpenAPI documents promise;
            // serde does not. Only a refused body pays for the second look.
            Err(rejection) => integral_floats_as_integers(&bytes)
                .and_then(|document| serde_json::from_value(document).ok())
                .ok_or_else(|| problem_for(rejection))?,
        };
        // A body with fewer bytes than the limit has characters cannot hold a text over
        // it: most commands skip the second parse.
        if bytes.len() > MAX_TEXT_CHARS
            && let Ok(document) = serde_json::from_slice::<Value>(&bytes)
            && let Some((field, chars)) = longest_text_over_limit(&document, String::new())
        {
            return Err(Problem::validation(format!(
                "{field} holds {chars} characters; a text field holds at most {MAX_TEXT_CHARS}"
            )));
        }
        Ok(JsonBody(value))
    }
}

/// `Option<JsonBody<T>>`: a request without a body (no `Content-Type`) is `None`; a
/// body is parsed, and refused, like any other.
impl<S, T> axum::extract::OptionalFromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if !request.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(None);
        }
        // A JSON `null` is no body too: the OpenAPI schema of an optional body admits it.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, super::layers::BODY_LIMIT_BYTES)
            .await
            .map_err(|_| too_large())?;
        if bytes.trim_ascii() == b"null" {
            return Ok(None);
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        <Self as FromRequest<S>>::from_request(request, state)
            .await
            .map(Some)
    }
}

/// `application/json`, or any `+json` type, as axum's own extractor accepts.
fn declares_json(request: &Request) -> bool {
    let Some(content_type) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The first string in `value` longer than the limit, as (field path, characters).
fn longest_text_over_limit(value: &Value, path: String) -> Option<(String, usize)> {
    match value {
        Value::String(text) => {
            let chars = text.chars().count();
            (chars > MAX_TEXT_CHARS).then(|| {
                let field = if path.is_empty() {
                    "the body".to_owned()
                } else {
                    path
                };
                (field, chars)
            })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| longest_text_over_limit(item, format!("{path}[{index}]"))),
        Value::Object(fields) => fields.iter().find_map(|(name, field)| {
            let path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            longest_text_over_limit(field, path)
        }),
        _ => None,
    }
}

/// The body with every whole-number float (`2.0`, exactly representable) as an integer,
/// when it has any.
fn integral_floats_as_integers(bytes: &[u8]) -> Option<Value> {
    fn walk(value: &mut Value) -> bool {
        match value {
            Value::Number(number) if number.is_f64() => {
                const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
                let float = number.as_f64().unwrap_or(f64::NAN);
                if float.fract() != 0.0 || float.abs() > EXACT {
                    return false;
                }
                #[allow(clippy::cast_possible_truncation)]
                let whole = float as i64;
                *value = Value::from(whole);
                true
            }
            Value::Array(items) => items.iter_mut().map(walk).fold(false, |a, b| a | b),
            Value::Object(fields) => fields.values_mut().map(walk).fold(false, |a, b| a | b),
            _ => false,
        }
    }
    let mut document: Value = serde_json::from_slice(bytes).ok()?;
    walk(&mut document).then_some(document)
}

fn too_large() -> Problem {
    Problem::new(
        ProblemType::PayloadTooLarge,
        format!(
            "the body is larger than {} bytes",
            super::layers::BODY_LIMIT_BYTES
        ),
    )
}

fn problem_for(rejection: JsonRejection) -> Problem {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => Problem::new(ProblemType::Validation, detail),
        JsonRejection::JsonSyntaxError(_) => Problem::new(ProblemType::Malformed, detail),
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            ProblemType::UnsupportedMediaType,
            "send the body as Content-Type: application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => Problem::new(ProblemType::Malformed, other.body_text()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_over_the_limit_is_named_by_its_path() {
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        let body = serde_json::json!({"content": {"attachments": [{"name": "a"}, {"name": long}]}});
        assert_eq!(
            longest_text_over_limit(&body, String::new()),
            Some(("content.attachments[1].name".to_owned(), MAX_TEXT_CHARS + 1))
        );
    }

    #[test]
    fn texts_up_to_the_limit_pass_whatever_their_bytes() {
        let body = serde_json::json!({"text": "😀".repeat(MAX_TEXT_CHARS), "n": 1});
        assert_eq!(longest_text_over_limit(&body, String::new()), None);
    }

    #[test]
    fn whole_number_floats_read_as_integers_and_fractions_do_not() {
        let document = integral_floats_as_integers(br#"{"a": 2261.0, "b": [1.0, 2], "c": "3.0"}"#);
        assert_eq!(
            document,
            Some(serde_json::json!({"a": 2261, "b": [1, 2], "c": "3.0"}))
        );
        assert_eq!(integral_floats_as_integers(br#"{"a": 2.5}"#), None);
        assert_eq!(
            integral_floats_as_integers(br#"{"a": 2}"#),
            None,
            "nothing to change"
        );
        assert_eq!(
            integral_floats_as_integers(br#"{"a": 1e300}"#),
            None,
            "not exact"
        );
    }
}
