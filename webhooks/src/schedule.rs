//! When a failed delivery is tried again: exponential backoff with jitter (backon's),
//! from `first_retry` growing fourfold up to six hours, until `max_attempts` have
//! failed and the delivery is a dead letter.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

const LONGEST_WAIT: Duration = Duration::from_secs(6 * 3600);

#[derive(Debug, Clone, Copy)]
pub struct RetrySchedule {
    pub first_retry: Duration,
    pub max_attempts: u32,
}

impl Default for RetrySchedule {
    /// Retries after about 10 s, 40 s, 3 min, 11 min, 43 min, 3 h, 6 h, 6 h and 6 h:
    /// ten attempts across about a day.
    fn default() -> Self {
        Self {
            first_retry: Duration::from_secs(10),
            max_attempts: 10,
        }
    }
}

impl RetrySchedule {
    /// How long after its `failed`-th failed attempt a delivery is tried again; `None`
    /// when that was the last attempt.
    pub fn wait_after(&self, failed: u32) -> Option<Duration> {
        if failed >= self.max_attempts || failed == 0 {
            return None;
        }
        ExponentialBuilder::new()
            .with_min_delay(self.first_retry)
            .with_factor(4.0)
            .with_max_delay(LONGEST_WAIT)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(usize::try_from(failed - 1).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_fourfold_with_at_most_double_jitter_then_stop() {
        let schedule = RetrySchedule::default();
        let first = schedule.wait_after(1).unwrap();
        assert!((Duration::from_secs(10)..=Duration::from_secs(20)).contains(&first));
        let third = schedule.wait_after(3).unwrap();
        assert!((Duration::from_secs(160)..=Duration::from_secs(320)).contains(&third));
        let ninth = schedule.wait_after(9).unwrap();
        assert!((LONGEST_WAIT..=LONGEST_WAIT * 2).contains(&ninth));
        assert_eq!(schedule.wait_after(10), None);
        assert_eq!(schedule.wait_after(0), None);
    }
}
