//! `GET /v1/projections`: each projection's position, the log head and the lag.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::PgPool;

use caselog_platform::http::Problem;

use crate::runner::status;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/v1/projections", get(projections))
        .with_state(pool)
}

async fn projections(State(pool): State<PgPool>) -> Result<Json<Value>, Problem> {
    let statuses = status::statuses(&pool).await.map_err(Problem::failure)?;
    let head = statuses.first().map_or(0, |status| status.head);
    Ok(Json(
        json!({ "head_position": head, "projections": statuses }),
    ))
}
