//! `GET /v1/projections`: each projection's position, the log head, the lag, and
//! whether this instance is the one applying it (`role`: `active` or `standby`). For
//! operators and probes: no token. `/openapi.json` describes it.

use axum::extract::State;
use axum::{Json, Router};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_platform::http::{ApiService, Problem, finish_openapi, openapi_router};

use crate::runner::ownership::Ownership;
use crate::runner::status::{self, ProjectionStatus};

#[derive(OpenApi)]
#[openapi(info(
    title = "caselog projection service",
    description = "The projections' progress, for operators."
))]
struct ProjectionApi;

type Shared = (PgPool, Ownership);

pub fn router(pool: PgPool, ownership: Ownership) -> Router {
    let (routes, document) = OpenApiRouter::with_openapi(ProjectionApi::openapi())
        .routes(routes!(projections))
        .split_for_parts();
    routes
        .merge(openapi_router(finish_openapi(
            document,
            ApiService::Projection,
        )))
        .with_state((pool, ownership))
}

#[derive(Debug, Serialize, ToSchema)]
struct ProjectionsReport {
    head_position: i64,
    projections: Vec<ProjectionReport>,
}

#[derive(Debug, Serialize, ToSchema)]
struct ProjectionReport {
    #[serde(flatten)]
    status: ProjectionStatus,
    /// `active` when this instance applies it, `standby` when another does.
    #[schema(pattern = "^(active|standby)$")]
    role: &'static str,
}

/// Each projection's progress and whether this instance applies it.
#[utoipa::path(get, path = "/v1/projections", tag = "operations",
    responses((status = 200, body = ProjectionsReport)))]
async fn projections(
    State((pool, ownership)): State<Shared>,
) -> Result<Json<ProjectionsReport>, Problem> {
    let statuses = status::statuses(&pool).await.map_err(Problem::failure)?;
    let head_position = statuses.first().map_or(0, |status| status.head);
    let projections = statuses
        .into_iter()
        .map(|status| {
            let role = if ownership.owns() {
                "active"
            } else {
                "standby"
            };
            ProjectionReport { status, role }
        })
        .collect();
    Ok(Json(ProjectionsReport {
        head_position,
        projections,
    }))
}
