//! HTTP pieces the command and query services share: the problem+json error body
//! (RFC 9457) with caselog's stable types, the authenticated caller taken from the
//! bearer token, a JSON body extractor whose refusals are problems too, and the layers
//! every API router gets (body limit, timeout, limits, tracing).

mod caller;
mod client_address;
mod json;
mod layers;
mod limits;
mod observe;
mod openapi;
mod plain_errors;
mod problem;
mod query;

pub use caller::Caller;
pub use client_address::ClientAddress;
pub use json::{JsonBody, MAX_TEXT_CHARS};
pub use layers::{BODY_LIMIT_BYTES, with_api_layers};
pub use limits::{ApiLimits, StreamSlot};
pub use observe::{REQUEST_ID_HEADER, observe};
pub use openapi::{Service as ApiService, finish as finish_openapi, min_position, openapi_router};
pub use plain_errors::with_problem_fallbacks;
pub use problem::{Problem, ProblemType};
pub use query::QueryParams;
