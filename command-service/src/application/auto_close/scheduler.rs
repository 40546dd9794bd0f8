//! Follows the log's conversation status changes and keeps the due times.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use caselog_schemas::TenantId;

use super::Outcome;
use crate::application::DirectoryLookup;

/// Serialises schedulers of several instances; each reads the checkpoint after taking it.
const SCHEDULER_LOCK_KEY: i64 = 0x6361_7365_6c6f_6701;
const BATCH: i64 = 500;

pub struct Scheduler {
    pool: PgPool,
    lookup: DirectoryLookup,
}

impl Scheduler {
    pub fn new(pool: PgPool, lookup: DirectoryLookup) -> Self {
        Self { pool, lookup }
    }

    pub async fn try_schedule(&self) -> anyhow::Result<Outcome> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEDULER_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        let checkpoint: i64 =
            sqlx::query_scalar("SELECT position FROM commands.auto_close_checkpoint")
                .fetch_one(&mut *tx)
                .await?;
        // Commit order is position order, so every event up to this head is committed.
        let head: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM eventlog.events")
            .fetch_one(&mut *tx)
            .await?;
        let head = head.unwrap_or(0);
        if head <= checkpoint {
            return Ok(Outcome::Idle);
        }
        let rows = sqlx::query(include_str!("sql/status_changes.sql"))
            .bind(checkpoint)
            .bind(head)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
        let mut reached = head;
        if rows.len() as i64 == BATCH {
            reached = rows.last().map_or(head, |row| row.get("position"));
        }
        for row in &rows {
            let tenant_id: Uuid = row.get("tenant_id");
            let conversation_id: Uuid = row.get("stream_id");
            let event_type: &str = row.get("event_type");
            if event_type == "ConversationResolved" {
                let settings = self.lookup.settings(TenantId(tenant_id)).await?;
                if let Some(seconds) = settings.auto_close_seconds {
                    let recorded_at: DateTime<Utc> = row.get("recorded_at");
                    let due_at = recorded_at + chrono::Duration::seconds(i64::from(seconds));
                    sqlx::query(include_str!("sql/set_due.sql"))
                        .bind(tenant_id)
                        .bind(conversation_id)
                        .bind(row.get::<i64, _>("stream_version"))
                        .bind(due_at)
                        .execute(&mut *tx)
                        .await?;
                    continue;
                }
            }
            sqlx::query(
                "DELETE FROM commands.auto_close_due WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE commands.auto_close_checkpoint SET position = $1")
            .bind(reached)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Outcome::Processed)
    }
}
