//! The OpenAPI 3.1 document of the query API; its paths come from the
//! handlers' own annotations (collected by the router), so it cannot drift from them;
//! `caselog_platform::http::finish_openapi` adds what every route shares.

use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "caselog query API",
        description = "Read models: inboxes, dashboard, conversations, history, audit, directory, internal chat."
    ),
    components(schemas(caselog_schemas::Role)),
    paths(
        super::dashboard::dashboard_stream,
        super::live::inbox_stream,
        super::live::chat_stream
    )
)]
struct QueryApi;

pub fn document() -> Document {
    QueryApi::openapi()
}
