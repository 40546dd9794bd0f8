//! `projection-service dead-letters list|retry`: the events a projection set aside.
//!
//! Retrying re-applies them where they belong, in log order: the projection is rebuilt
//! from the log (see `rebuild`), which tries every event again and clears each dead
//! letter that now applies. Applying an old event on top of a read model that has
//! moved on would not give what the log says.

use serde::Serialize;
use sqlx::PgPool;

use super::rebuild::{self, RebuildReport};
use crate::projections::Projection;

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct DeadLetter {
    pub projection: String,
    pub position: i64,
    pub event_id: uuid::Uuid,
    pub tenant_id: uuid::Uuid,
    pub event_type: String,
    pub attempts: i32,
    pub error: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// The dead letters of one projection, or of all, in log order.
pub async fn list(pool: &PgPool, projection: Option<Projection>) -> sqlx::Result<Vec<DeadLetter>> {
    sqlx::query_as(
        "SELECT projection, position, event_id, tenant_id, event_type, attempts, error, \
                recorded_at \
         FROM projections.dead_letters \
         WHERE $1::text IS NULL OR projection = $1 \
         ORDER BY position, projection",
    )
    .bind(projection.map(Projection::name))
    .fetch_all(pool)
    .await
}

/// What a retry did for one projection.
#[derive(Debug, Serialize)]
pub struct Retried {
    pub projection: &'static str,
    pub dead_letters_before: usize,
    pub dead_letters_after: usize,
    pub rebuild: RebuildReport,
}

/// Rebuilds each of `projections` that has dead letters; the ones that apply now are
/// cleared.
pub async fn retry(pool: &PgPool, projections: &[Projection]) -> anyhow::Result<Vec<Retried>> {
    let mut retried = Vec::new();
    for projection in projections {
        let before = list(pool, Some(*projection)).await?.len();
        if before == 0 {
            continue;
        }
        let rebuild = rebuild::rebuild(pool, *projection).await?;
        let after = list(pool, Some(*projection)).await?.len();
        retried.push(Retried {
            projection: projection.name(),
            dead_letters_before: before,
            dead_letters_after: after,
            rebuild,
        });
    }
    Ok(retried)
}
