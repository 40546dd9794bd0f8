//! `GET /v1/dashboard` and its live form, `GET /v1/dashboard/stream` (server-sent
//! events: the dashboard again whenever the tenant's inbox changes).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, QueryParams};
use caselog_schemas::Position;

use super::cache::{DashboardKey, count};
use super::consistency::{MinPosition, Read, settle};
use super::inbox::require_group_member;
use super::{ApiError, AppState, require_reader};
use crate::read_models::conversations::{self, Dashboard};
use crate::read_models::{self, Projection, Viewer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

pub fn stream_router() -> Router<AppState> {
    Router::new().route("/v1/dashboard/stream", get(dashboard_stream))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardParams {
    /// The group whose counters to show; all groups when absent.
    group_id: Option<Uuid>,
}

async fn current(
    state: &AppState,
    viewer: Viewer,
    group_id: Option<Uuid>,
    tenant_position: Position,
) -> Result<Arc<Dashboard>, ApiError> {
    let mut hit = true;
    let dashboard = state
        .caches
        .dashboard
        .try_get_with(
            DashboardKey {
                viewer,
                group_id,
                inbox_version: tenant_position,
            },
            async {
                hit = false;
                conversations::dashboard(&state.pool, &viewer, group_id)
                    .await
                    .map(Arc::new)
            },
        )
        .await?;
    count("dashboard", hit);
    Ok(dashboard)
}

/// My counters, and my groups' together and one by one (a group's alone with
/// `group_id`), over the conversations I may see.
#[utoipa::path(get, path = "/v1/dashboard", params(MinPosition, DashboardParams), tag = "dashboard",
    responses((status = 200, body = Dashboard)))]
async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<DashboardParams>,
) -> Result<Read<Dashboard>, ApiError> {
    require_reader(&caller)?;
    let viewer = Viewer::of(&caller);
    let version = settle(&state, Projection::Inbox, viewer.tenant_id, min).await?;
    require_group_member(&state, &viewer, params.group_id).await?;
    let dashboard = current(&state, viewer, params.group_id, version.tenant_position).await?;
    Ok(Read(version, dashboard.as_ref().clone()))
}

/// Server-sent events: a `dashboard` event with my counters on every change. Served
/// outside the request timeout, so it is routed apart and listed here by hand.
#[utoipa::path(get, path = "/v1/dashboard/stream", params(DashboardParams), tag = "dashboard",
    responses((status = 200, content_type = "text/event-stream", body = Dashboard,
        description = "one `dashboard` event (its data the Dashboard JSON) per change")))]
pub(super) async fn dashboard_stream(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<DashboardParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    require_reader(&caller)?;
    let slot = state.limits.stream_slot(&caller)?;
    let viewer = Viewer::of(&caller);
    require_group_member(&state, &viewer, params.group_id).await?;
    let shutdown = state.shutdown.clone();
    let updates = futures::stream::unfold(
        (state, None::<Position>),
        move |(state, last_sent)| async move {
            loop {
                let version =
                    read_models::version(Projection::Inbox, &state.pool, viewer.tenant_id).await;
                if let Ok(version) = version
                    && last_sent != Some(version.tenant_position)
                    && let Ok(dashboard) =
                        current(&state, viewer, params.group_id, version.tenant_position).await
                {
                    let event = Event::default()
                        .event("dashboard")
                        .id(version.position.to_string())
                        .json_data(dashboard.as_ref())
                        .expect("a dashboard serialises");
                    return Some((Ok(event), (state, Some(version.tenant_position))));
                }
                tokio::time::sleep(state.stream_poll).await;
            }
        },
    );
    // The stream ends with the service, so a graceful shutdown does not wait on it, and
    // when the caller's token expires: a stream is never a way around a token's life.
    let expiry = tokio::time::sleep(caller.time_left());
    // The slot is held until the stream ends or the caller goes away.
    let end = async move {
        let _slot = slot;
        tokio::select! {
            () = shutdown.cancelled_owned() => {}
            () = expiry => {}
        }
    };
    let updates = futures::StreamExt::take_until(updates, end);
    Ok(Sse::new(updates).keep_alive(KeepAlive::default()))
}
