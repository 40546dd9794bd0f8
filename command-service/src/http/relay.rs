//! `GET /v1/relay`: whether this instance publishes, how far, and its lag.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use caselog_eventlog::relay::RelayStatusReport;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/relay", get(relay_status))
}

async fn relay_status(State(state): State<AppState>) -> Json<RelayStatusReport> {
    Json(state.relay_status.report())
}
