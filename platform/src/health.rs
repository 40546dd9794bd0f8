//! `/healthz` (the process answers), `/readyz` (it can serve: Postgres answers, and it
//! is not draining for a shutdown) and
//! `/metrics` (Prometheus text), mounted by every service.
//!
//! Readiness asks only for what serving needs. Every service needs Postgres: the log
//! and the read models live there. None needs NATS to serve: commands are appended
//! without it (the relay publishes when it is back, see `/v1/relay`), projections read
//! the log themselves while it is away, queries never touch it. So a NATS outage shows
//! as `"nats": "down"` and as lag, and takes no instance out of a load balancer.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::json;
use sqlx::PgPool;

/// What readiness depends on.
#[derive(Clone)]
pub struct Dependencies {
    pub postgres: PgPool,
    pub nats: async_nats::Client,
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = crate::metrics::builder().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (several services in one test
            // process); then this handle simply renders nothing.
            let _ = metrics::set_global_recorder(recorder);
            crate::metrics::describe();
            handle
        })
        .clone()
}

/// The three operational routes.
pub fn router(dependencies: Dependencies) -> Router {
    let metrics = metrics_handle();
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz).with_state(dependencies))
        .route("/metrics", get(move || render_metrics(metrics.clone())))
}

async fn render_metrics(handle: PrometheusHandle) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

async fn readyz(State(dependencies): State<Dependencies>) -> Response {
    if crate::shutdown::is_draining() {
        // Stopping: out of the load balancer first, while requests still get answers.
        let body = json!({"status": "draining", "needs": ["postgres"]});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    let postgres = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&dependencies.postgres),
    )
    .await
    .is_ok_and(|result| result.is_ok());
    let nats = dependencies.nats.connection_state() == async_nats::connection::State::Connected
        && tokio::time::timeout(Duration::from_secs(2), dependencies.nats.flush())
            .await
            .is_ok_and(|result| result.is_ok());
    let status = if postgres {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ready" } else { "not ready" },
        "postgres": if postgres { "up" } else { "down" },
        "nats": if nats { "up" } else { "down" },
        "needs": ["postgres"],
    });
    (status, Json(body)).into_response()
}
