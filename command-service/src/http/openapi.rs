//! The OpenAPI 3.1 document of the command API; its paths come from the
//! handlers' own annotations (collected by the router), so it cannot drift from them;
//! `caselog_platform::http::finish_openapi` adds what every route shares.

use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

#[derive(OpenApi)]
#[openapi(info(
    title = "caselog command API",
    description = "Commands in, events into the log."
))]
struct CommandApi;

pub fn document() -> Document {
    CommandApi::openapi()
}
