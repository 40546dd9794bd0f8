//! Auto-close (README "A support day with curl"): a resolved conversation is closed by the system after the
//! tenant's delay.
//!
//! Two steps, both durable in Postgres: the scheduler follows the log and keeps one
//! due time per resolved conversation (set on `ConversationResolved`, cleared on
//! reopen, close or delete), advancing its checkpoint in the same transaction; the
//! closer takes due rows with `FOR UPDATE SKIP LOCKED` and closes each through the
//! ordinary command path as the system actor. Exactly once: the close carries an
//! idempotency key naming the resolution it was set for, and `decide` does nothing to a
//! conversation that is no longer resolved.

mod closer;
mod scheduler;

use std::time::Duration;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::LogFollower;

use super::{CommandExecutor, DirectoryLookup};

/// Runs the scheduler (a follower of the log) and the closer until `shutdown`.
pub async fn run(
    pool: PgPool,
    executor: CommandExecutor,
    lookup: DirectoryLookup,
    poll: Duration,
    shutdown: CancellationToken,
) {
    let follower = LogFollower::new(
        executor.reader().clone(),
        scheduler::STATUS_CHANGES,
        scheduler::BATCH,
    );
    let mut scheduler = scheduler::Scheduler::new(pool.clone(), lookup);
    let closer = closer::Closer::new(pool, executor);
    tokio::join!(
        follower.run(&mut scheduler, "auto-close scheduler", poll, &shutdown),
        closer.run(poll, &shutdown),
    );
}
