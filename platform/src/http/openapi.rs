//! Serving a service's OpenAPI 3.1 document, collected from its handlers' annotations,
//! with the bearer-token scheme every caselog API uses.

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::Modify;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

/// Declares the `bearer` security scheme (`modifiers(&BearerAuth)` on the document).
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// `GET /openapi.json`.
pub fn openapi_router<S: Clone + Send + Sync + 'static>(document: Document) -> Router<S> {
    let document = Arc::new(document);
    Router::new().route(
        "/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
}
