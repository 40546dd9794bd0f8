//! Follows the log's conversation status changes and keeps the due times.

use caselog_eventlog::{EventFilter, Follower};
use caselog_schemas::{EventEnvelope, Position};
use sqlx::PgPool;

use crate::application::DirectoryLookup;

/// Serialises schedulers of several instances; each reads the checkpoint after taking it.
const SCHEDULER_LOCK_KEY: i64 = 0x6361_7365_6c6f_6701;
pub const BATCH: i64 = 500;

/// What sets, moves or clears a due time.
pub const STATUS_CHANGES: EventFilter = EventFilter {
    stream_type: Some("conversation"),
    event_types: &[
        "ConversationResolved",
        "ConversationReopened",
        "ConversationClosed",
        "ConversationDeleted",
    ],
};

pub struct Scheduler {
    pool: PgPool,
    lookup: DirectoryLookup,
}

impl Scheduler {
    pub fn new(pool: PgPool, lookup: DirectoryLookup) -> Self {
        Self { pool, lookup }
    }
}

impl Follower for Scheduler {
    async fn checkpoint(&mut self) -> anyhow::Result<Position> {
        let position = sqlx::query_scalar("SELECT position FROM commands.auto_close_checkpoint")
            .fetch_one(&self.pool)
            .await?;
        Ok(Position(position))
    }

    /// A resolution sets the conversation's due time (if the tenant auto-closes); any
    /// other status change clears it. The checkpoint moves in the same transaction.
    async fn handle(
        &mut self,
        from: Position,
        events: Vec<EventEnvelope>,
        through: Position,
    ) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SCHEDULER_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        let checkpoint: i64 =
            sqlx::query_scalar("SELECT position FROM commands.auto_close_checkpoint")
                .fetch_one(&mut *tx)
                .await?;
        if checkpoint != from.0 {
            // Another instance handled these events meanwhile.
            return Ok(());
        }
        for event in &events {
            let (tenant_id, conversation_id) = (event.tenant_id, event.stream_id.0);
            if event.event_type == "ConversationResolved" {
                let settings = self.lookup.settings(tenant_id).await?;
                if let Some(seconds) = settings.auto_close_seconds {
                    let due_at = event.recorded_at + chrono::Duration::seconds(i64::from(seconds));
                    sqlx::query(include_str!("sql/set_due.sql"))
                        .bind(tenant_id.0)
                        .bind(conversation_id)
                        .bind(event.stream_version.0)
                        .bind(due_at)
                        .execute(&mut *tx)
                        .await?;
                    continue;
                }
            }
            sqlx::query(
                "DELETE FROM commands.auto_close_due WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id.0)
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE commands.auto_close_checkpoint SET position = $1")
            .bind(through.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
