//! The command API's routes. Each module exposes `router()`; this one merges them.

mod relay;

use axum::Router;

use caselog_eventlog::relay::RelayStatus;

#[derive(Clone)]
pub struct AppState {
    pub relay_status: RelayStatus,
}

pub fn router(state: AppState) -> Router {
    Router::new().merge(relay::router()).with_state(state)
}
