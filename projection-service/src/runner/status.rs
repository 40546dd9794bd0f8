//! What `GET /v1/projections` reports, and `/metrics` exports: each projection's
//! checkpoint, the log head, the lag between them in events and in seconds (how long
//! the oldest event not yet applied has waited), and the dead letters set aside.

use serde::Serialize;
use sqlx::PgPool;

use caselog_eventlog::{LogReader, ReadError};
use caselog_schemas::Position;

use crate::projections::Projection;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectionStatus {
    /// `inbox`, `history`, `internal_messages`, `directory` or `chat`.
    pub name: &'static str,
    /// The last log position it applied.
    pub position: i64,
    /// The log's head position.
    pub head: i64,
    /// Events committed and not yet applied.
    pub lag: i64,
    /// How long the oldest event not yet applied has waited.
    pub lag_seconds: f64,
    /// Events set aside because they could not be applied.
    pub dead_letters: i64,
}

pub async fn statuses(pool: &PgPool) -> Result<Vec<ProjectionStatus>, ReadError> {
    let log = LogReader::new(pool.clone());
    let head = log.head().await?.0;
    let checkpoints = super::batch::live_checkpoints(pool).await?;
    let mut statuses = Vec::new();
    for (projection, position) in Projection::ALL.into_iter().zip(checkpoints) {
        let dead_letters: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM projections.dead_letters WHERE projection = $1",
        )
        .bind(projection.name())
        .fetch_one(pool)
        .await?;
        let lag_seconds = if head > position {
            log.age_of(Position(position + 1)).await?
        } else {
            None
        };
        statuses.push(ProjectionStatus {
            name: projection.name(),
            position,
            head,
            lag: head - position,
            lag_seconds: lag_seconds.unwrap_or(0.0).max(0.0),
            dead_letters,
        });
    }
    Ok(statuses)
}

/// Exports the statuses as Prometheus gauges every `every`, until `shutdown`.
pub async fn export(
    pool: PgPool,
    every: std::time::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        match statuses(&pool).await {
            Ok(statuses) => {
                for status in statuses {
                    let name = status.name;
                    metrics::gauge!("caselog_projection_lag_events", "projection" => name)
                        .set(status.lag as f64);
                    metrics::gauge!("caselog_projection_lag_seconds", "projection" => name)
                        .set(status.lag_seconds);
                    metrics::gauge!("caselog_projection_dead_letters", "projection" => name)
                        .set(status.dead_letters as f64);
                }
            }
            Err(error) => tracing::debug!(%error, "projection status not exported"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
