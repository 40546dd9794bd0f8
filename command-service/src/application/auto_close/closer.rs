//! Closes the conversations whose due time has come, as the system.

use crate::application::SYSTEM_KEY_PREFIX;
use sqlx::{PgPool, Row};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use caselog_platform::retry::{PollStep, Progress, poll_until_shutdown};

use caselog_schemas::{Actor, TenantId};

use crate::application::{CommandExecutor, CommandOptions, ExecuteError, conversation_stream};
use crate::domain::conversation::{Conversation, ConversationCommand, decide};

const BATCH: i64 = 20;

pub struct Closer {
    pool: PgPool,
    executor: CommandExecutor,
}

impl Closer {
    pub fn new(pool: PgPool, executor: CommandExecutor) -> Self {
        Self { pool, executor }
    }

    /// Closes what is due until `shutdown`: at once while there is more, every `poll`
    /// otherwise, backing off after a failure.
    pub async fn run(&self, poll: std::time::Duration, shutdown: &CancellationToken) {
        poll_until_shutdown("auto-close closer", poll, shutdown, &mut Closing(self)).await;
    }

    pub async fn try_close_due(&self) -> anyhow::Result<Progress> {
        let mut tx = self.pool.begin().await?;
        let due = sqlx::query(
            "SELECT tenant_id, conversation_id, resolved_version FROM commands.auto_close_due \
             WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            return Ok(Progress::Idle);
        }
        for row in &due {
            let tenant_id = TenantId(row.get::<Uuid, _>("tenant_id"));
            let conversation_id: Uuid = row.get("conversation_id");
            let resolved_version: i64 = row.get("resolved_version");
            let options = CommandOptions {
                actor: Actor::system(),
                idempotency_key: Some(format!(
                    "{SYSTEM_KEY_PREFIX}auto-close:{conversation_id}:{resolved_version}"
                )),
                request_fingerprint: None,
                if_match: None,
            };
            let closed = self
                .executor
                .execute::<Conversation, _>(
                    conversation_stream(tenant_id, conversation_id),
                    &options,
                    |state| decide(state, ConversationCommand::CloseResolvedConversation),
                )
                .await;
            match closed {
                Ok(_) => {}
                // A rule keeps it open (an unpaid invoice): the timer is spent; the
                // conversation waits for a person.
                Err(ExecuteError::Rejected(rule)) => {
                    tracing::info!(%conversation_id, reason = %rule, "auto-close refused");
                }
                Err(error) => return Err(error.into()),
            }
            sqlx::query(
                "DELETE FROM commands.auto_close_due \
                 WHERE tenant_id = $1 AND conversation_id = $2 AND resolved_version = $3",
            )
            .bind(tenant_id.0)
            .bind(conversation_id)
            .bind(resolved_version)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Progress::Busy)
    }
}

/// The closer as one step of a polling loop.
struct Closing<'a>(&'a Closer);

impl PollStep for Closing<'_> {
    fn step(&mut self) -> impl Future<Output = anyhow::Result<Progress>> + Send {
        self.0.try_close_due()
    }
}
