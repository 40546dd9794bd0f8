//! A JSON body extractor whose refusals are problems: 400 for a body that is not JSON,
//! 415 for one not declared as JSON, 413 for one over the limit, 422 for JSON of the
//! wrong shape (a missing field, a string where a number belongs).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::problem::{Problem, ProblemType};

pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(problem_for(rejection)),
        }
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
        if !request
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
        {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(request, state)
            .await
            .map(Some)
    }
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
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
            ProblemType::PayloadTooLarge,
            format!(
                "the body is larger than {} bytes",
                super::layers::BODY_LIMIT_BYTES
            ),
        ),
        other => Problem::new(ProblemType::Malformed, other.body_text()),
    }
}
