//! `GET /v1/relay`: whether this instance publishes, how far, and its lag. For operators
//! and probes: no token, outside the API's limits.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_eventlog::relay::RelayStatusReport;

use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(relay_status))
}

/// This instance's relay: its role, state, published and head positions, and lag.
#[utoipa::path(get, path = "/v1/relay", tag = "operations", security(()),
    responses((status = 200, body = RelayStatusReport)))]
async fn relay_status(State(state): State<AppState>) -> Json<RelayStatusReport> {
    Json(state.relay_status.report())
}
