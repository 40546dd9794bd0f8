//! `GET /openapi.json`: the OpenAPI 3.1 document, collected from the handlers' own
//! annotations, so it cannot drift from the routes.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "caselog query API", description = "Read models: inboxes, dashboard, conversations, history, directory (API.md)."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct QueryApi;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn document() -> Document {
    QueryApi::openapi()
}

pub fn router(document: Document) -> Router<AppState> {
    let document = std::sync::Arc::new(document);
    Router::new().route(
        "/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
}
