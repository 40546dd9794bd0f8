//! The OpenAPI 3.1 document of the command API; its paths come from the
//! handlers' own annotations (collected by the router), so it cannot drift from them.

use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

use caselog_platform::http::BearerAuth;

#[derive(OpenApi)]
#[openapi(
    info(title = "caselog command API", description = "Commands in, events into the log."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct CommandApi;

pub fn document() -> Document {
    CommandApi::openapi()
}
