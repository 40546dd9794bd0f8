//! `GET /v1/projections`: each projection's position, the log head, the lag, and
//! whether this instance is the one applying it (`role`: `active` or `standby`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::PgPool;

use caselog_platform::http::Problem;

use crate::projections::Projection;
use crate::runner::ownership::Ownership;
use crate::runner::status;

pub fn router(pool: PgPool, ownership: Ownership) -> Router {
    Router::new()
        .route("/v1/projections", get(projections))
        .with_state((pool, ownership))
}

async fn projections(
    State((pool, ownership)): State<(PgPool, Ownership)>,
) -> Result<Json<Value>, Problem> {
    let statuses = status::statuses(&pool).await.map_err(Problem::failure)?;
    let head = statuses.first().map_or(0, |status| status.head);
    let projections: Vec<Value> = statuses
        .into_iter()
        .map(|status| {
            let role = match Projection::from_name(status.name) {
                Some(projection) if ownership.owns(projection) => "active",
                _ => "standby",
            };
            let mut report = json!(status);
            report["role"] = json!(role);
            report
        })
        .collect();
    Ok(Json(
        json!({ "head_position": head, "projections": projections }),
    ))
}
