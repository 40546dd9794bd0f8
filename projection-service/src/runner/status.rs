//! What `GET /v1/projections` reports: each projection's checkpoint, the log head, the
//! lag between them and the dead letters set aside.

use serde::Serialize;
use sqlx::PgPool;

use crate::projections::Projection;

#[derive(Debug, Serialize)]
pub struct ProjectionStatus {
    pub name: &'static str,
    pub position: i64,
    pub head: i64,
    pub lag: i64,
    pub dead_letters: i64,
}

pub async fn statuses(pool: &PgPool) -> Result<Vec<ProjectionStatus>, sqlx::Error> {
    let head: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM eventlog.events")
        .fetch_one(pool)
        .await?;
    let head = head.unwrap_or(0);
    let mut statuses = Vec::new();
    for projection in Projection::ALL {
        let position: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT position FROM {}.checkpoint",
            projection.schema()
        )))
        .fetch_one(pool)
        .await?;
        let dead_letters: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM projections.dead_letters WHERE projection = $1",
        )
        .bind(projection.name())
        .fetch_one(pool)
        .await?;
        statuses.push(ProjectionStatus {
            name: projection.name(),
            position,
            head,
            lag: head - position,
            dead_letters,
        });
    }
    Ok(statuses)
}
