//! Following the log from a checkpoint: the one loop of every consumer that reads the
//! log itself rather than the NATS stream — the auto-close scheduler, a projection
//! catching up, the query service's erasure watcher. The consumer keeps its own
//! checkpoint, stored with what it does (so a crash never loses or repeats an effect);
//! the follower reads what lies after it, in batches, and backs off after failures
//! with the one retry policy (`caselog_platform::retry`).

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use caselog_platform::retry::{PollStep, Progress, poll_until_shutdown};
use caselog_schemas::{EventEnvelope, Position};

use super::LogReader;

/// Which events a follower is handed. Positions it skips still move its checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct EventFilter {
    /// Only this stream type's events; `None`: every stream's.
    pub stream_type: Option<&'static str>,
    /// Only these event types; empty: every type.
    pub event_types: &'static [&'static str],
}

impl EventFilter {
    /// Every event.
    pub const ALL: Self = Self {
        stream_type: None,
        event_types: &[],
    };
}

/// A consumer of the log that keeps its own checkpoint.
pub trait Follower: Send {
    /// The position it has handled the log up to.
    fn checkpoint(&mut self) -> impl Future<Output = anyhow::Result<Position>> + Send;

    /// Handles `events` — those after `from` that match the filter, in log order — and
    /// moves its checkpoint from `from` to `through` (at least the last event's
    /// position) with them. A follower that several instances share refuses the batch
    /// when its checkpoint is no longer `from`: another instance handled it.
    fn handle(
        &mut self,
        from: Position,
        events: Vec<EventEnvelope>,
        through: Position,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Hands a [`Follower`] the events after its checkpoint, `batch` at a time.
#[derive(Clone)]
pub struct LogFollower {
    reader: LogReader,
    filter: EventFilter,
    batch: i64,
}

impl LogFollower {
    pub fn new(reader: LogReader, filter: EventFilter, batch: i64) -> Self {
        Self {
            reader,
            filter,
            batch,
        }
    }

    /// One batch after the follower's checkpoint.
    pub async fn step(&self, follower: &mut impl Follower) -> anyhow::Result<Progress> {
        let from = follower.checkpoint().await?;
        // Commit order is position order (one writer at a time), so every event up to
        // the head is committed: nothing below it can appear later.
        let head = self.reader.head().await?;
        if head <= from {
            return Ok(Progress::Idle);
        }
        let events = self
            .reader
            .read_matching(from, head, &self.filter, self.batch)
            .await?;
        let through = match events.last() {
            Some(last) if events.len() as i64 == self.batch => last.position,
            _ => head,
        };
        follower.handle(from, events, through).await?;
        Ok(Progress::Busy)
    }

    /// Steps until the follower reaches the head, or `shutdown`.
    pub async fn catch_up(
        &self,
        follower: &mut impl Follower,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<()> {
        while !shutdown.is_cancelled() {
            if self.step(follower).await? == Progress::Idle {
                break;
            }
        }
        Ok(())
    }

    /// Follows the log until `shutdown`: steps while there is work, looks again every
    /// `poll` at the head, backs off after a failure (logged under `what`).
    pub async fn run(
        &self,
        follower: &mut impl Follower,
        what: &'static str,
        poll: Duration,
        shutdown: &CancellationToken,
    ) {
        let mut following = Following {
            log: self,
            follower,
        };
        poll_until_shutdown(what, poll, shutdown, &mut following).await;
    }
}

/// A follower and the log it follows, as one step of a polling loop.
struct Following<'a, F> {
    log: &'a LogFollower,
    follower: &'a mut F,
}

impl<F: Follower> PollStep for Following<'_, F> {
    fn step(&mut self) -> impl Future<Output = anyhow::Result<Progress>> + Send {
        self.log.step(self.follower)
    }
}
