//! The waiting queue: open conversations whose customer waits for a human reply,
//! oldest waiting first, as a supervisor monitors the operation.

use uuid::Uuid;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::Viewer;
use super::conversations::{ConversationSummary, Row};

/// Which conversations of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueFilter {
    pub group_id: Option<Uuid>,
    /// Only those nobody is assigned.
    pub unassigned: bool,
    /// Continue after this (waiting_since, conversation_id).
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: i64,
}

/// A conversation in the queue, with how long its customer has waited so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueEntry {
    #[serde(flatten)]
    pub conversation: ConversationSummary,
    /// Seconds since the oldest message no human has answered yet.
    pub waiting_seconds: i64,
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    #[sqlx(flatten)]
    row: Row,
    waiting_seconds: i64,
}

/// A page of the queue the viewer may see, in the groups the team inbox shows them.
pub async fn queue(
    pool: &PgPool,
    viewer: &Viewer,
    filter: &QueueFilter,
) -> Result<Vec<QueueEntry>, sqlx::Error> {
    let rows: Vec<QueueRow> = sqlx::query_as(concat!(
        include_str!("sql/summary_columns.sql"),
        include_str!("sql/queue.sql")
    ))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(viewer.sees_all)
    .bind(viewer.all_groups)
    .bind(filter.group_id)
    .bind(filter.unassigned)
    .bind(filter.after.map(|(since, _)| since))
    .bind(filter.after.map(|(_, id)| id))
    .bind(filter.limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| QueueEntry {
            conversation: ConversationSummary::from(row.row),
            waiting_seconds: row.waiting_seconds,
        })
        .collect())
}
