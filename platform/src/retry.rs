//! The one retry policy of every loop that follows the log or a broker (the relay,
//! the projectors, the log-head listener, the auto-close worker, the erasure watcher):
//! exponential from 100 ms to 5 s, with jitter so that instances which failed
//! together do not come back together, and no limit — an outage lasts as long as it
//! lasts, and shows as lag, not as lost work. Built on `backon`'s exponential backoff.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use tokio_util::sync::CancellationToken;

pub const MIN_DELAY: Duration = Duration::from_millis(100);
pub const MAX_DELAY: Duration = Duration::from_secs(5);

/// Delays between tries of one loop; `reset` after it succeeds.
pub struct Backoff {
    delays: ExponentialBackoff,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        Self {
            delays: builder().build(),
        }
    }

    /// Starts again from the shortest delay.
    pub fn reset(&mut self) {
        self.delays = builder().build();
    }

    /// The delay before the next try.
    pub fn next_delay(&mut self) -> Duration {
        self.delays.next().unwrap_or(MAX_DELAY)
    }

    /// Waits the next delay; false when `shutdown` came first.
    pub async fn wait(&mut self, shutdown: &CancellationToken) -> bool {
        let delay = self.next_delay();
        tokio::select! {
            _ = shutdown.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

/// What one step of a polling loop found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// It did some work: there may be more at once.
    Busy,
    /// Nothing to do: look again after the poll interval.
    Idle,
}

/// One step of a polling loop (the future is `Send`, so the loop may be spawned).
pub trait PollStep: Send {
    fn step(&mut self) -> impl Future<Output = anyhow::Result<Progress>> + Send;
}

/// Runs `step` until `shutdown`: again at once while it is busy, after `poll` when it
/// is idle, after the next backoff delay when it fails (logged under `what`).
pub async fn poll_until_shutdown(
    what: &'static str,
    poll: Duration,
    shutdown: &CancellationToken,
    step: &mut impl PollStep,
) {
    let mut backoff = Backoff::new();
    while !shutdown.is_cancelled() {
        match step.step().await {
            Ok(progress) => {
                backoff.reset();
                if progress == Progress::Busy {
                    continue;
                }
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(poll) => {}
                }
            }
            Err(error) => {
                tracing::warn!(loop = what, error = %format!("{error:#}"), "a step failed; retrying");
                if !backoff.wait(shutdown).await {
                    break;
                }
            }
        }
    }
}

fn builder() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(MIN_DELAY)
        .with_max_delay(MAX_DELAY)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_never_run_out() {
        let mut backoff = Backoff::new();
        let delays: Vec<Duration> = (0..40).map(|_| backoff.next_delay()).collect();
        assert!(
            delays[0] >= MIN_DELAY && delays[0] <= 2 * MIN_DELAY,
            "{delays:?}"
        );
        // With jitter a delay is at most twice the capped base.
        assert!(
            delays.iter().all(|delay| *delay <= 2 * MAX_DELAY),
            "{delays:?}"
        );
        assert!(delays[39] >= MAX_DELAY, "{delays:?}");
        backoff.reset();
        assert!(backoff.next_delay() <= 2 * MIN_DELAY);
    }
}
