//! `GET /v1/projections`: each projection's position, the log head and the lag.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use caselog_eventlog::LogReader;

pub fn router(reader: LogReader) -> Router {
    Router::new()
        .route("/v1/projections", get(projections))
        .with_state(reader)
}

async fn projections(State(reader): State<LogReader>) -> Result<Json<Value>, StatusCode> {
    let head = reader.head().await.map_err(|error| {
        tracing::error!(%error, "reading the log head failed");
        StatusCode::SERVICE_UNAVAILABLE
    })?;
    // No projector is registered yet; each will report {name, position, lag} here.
    Ok(Json(json!({ "head_position": head.0, "projections": [] })))
}
