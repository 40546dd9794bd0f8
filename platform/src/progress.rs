//! How far a long job is (a rebuild, a verification, a benchmark's seeding): a bar on a
//! terminal, otherwise a structured log line every ten seconds; both with the rate
//! and the time left, so a job over a large log is never silent for minutes.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct Progress {
    job: String,
    unit: &'static str,
    bar: Option<ProgressBar>,
    state: Mutex<State>,
    quiet: bool,
}

struct State {
    done: u64,
    total: u64,
    started: Instant,
    logged: Instant,
}

impl Progress {
    /// A job of `total` `unit`s (events, conversations…) named `job`.
    pub fn new(job: impl Into<String>, unit: &'static str, total: u64) -> Self {
        let job = job.into();
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = ProgressStyle::with_template(
                "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} {per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            ProgressBar::new(total)
                .with_style(style)
                .with_message(job.clone())
        });
        let now = Instant::now();
        Self {
            job,
            unit,
            bar,
            state: Mutex::new(State {
                done: 0,
                total,
                started: now,
                logged: now,
            }),
            quiet: false,
        }
    }

    /// A job that reports nothing (the same work served to an HTTP request).
    pub fn hidden() -> Self {
        let now = Instant::now();
        Self {
            job: String::new(),
            unit: "",
            bar: None,
            state: Mutex::new(State {
                done: 0,
                total: 0,
                started: now,
                logged: now,
            }),
            quiet: true,
        }
    }

    /// The total grew (the log grows while it is rebuilt).
    pub fn set_total(&self, total: u64) {
        if let Ok(mut state) = self.state.lock() {
            state.total = total;
        }
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    /// `n` more units done.
    pub fn advance(&self, n: u64) {
        if self.quiet {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.inc(n);
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.done += n;
        if state.logged.elapsed() >= LOG_EVERY {
            state.logged = Instant::now();
            let (per_second, left) =
                rate_and_time_left(state.done, state.total, state.started.elapsed());
            tracing::info!(
                job = %self.job,
                done = state.done,
                total = state.total,
                unit = self.unit,
                per_second = per_second.round(),
                seconds_left = left.map(|left| left.as_secs()),
                "progress"
            );
        }
    }

    /// The job ended: clears the bar, logs the whole rate.
    pub fn finish(&self) {
        if self.quiet {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let Ok(state) = self.state.lock() else { return };
        let done = self.bar.as_ref().map_or(state.done, ProgressBar::position);
        let (per_second, _) = rate_and_time_left(done, done, state.started.elapsed());
        tracing::info!(
            job = %self.job,
            done,
            unit = self.unit,
            seconds = state.started.elapsed().as_secs_f64(),
            per_second = per_second.round(),
            "finished"
        );
    }
}

/// Units per second so far, and the time the rest takes at that rate.
fn rate_and_time_left(done: u64, total: u64, elapsed: Duration) -> (f64, Option<Duration>) {
    let seconds = elapsed.as_secs_f64();
    if done == 0 || seconds <= 0.0 {
        return (0.0, None);
    }
    let per_second = done as f64 / seconds;
    let left = total.saturating_sub(done) as f64 / per_second;
    (per_second, Duration::try_from_secs_f64(left).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_and_time_left_follow_from_what_is_done() {
        let (rate, left) = rate_and_time_left(500, 2000, Duration::from_secs(5));
        assert!((rate - 100.0).abs() < 1e-9);
        assert_eq!(left, Some(Duration::from_secs(15)));
        assert_eq!(
            rate_and_time_left(0, 10, Duration::from_secs(1)),
            (0.0, None)
        );
        let (_, done) = rate_and_time_left(10, 10, Duration::from_secs(1));
        assert_eq!(done, Some(Duration::ZERO));
    }

    #[test]
    fn a_hidden_job_counts_nothing() {
        let progress = Progress::hidden();
        progress.advance(5);
        progress.finish();
        assert_eq!(progress.state.lock().unwrap().done, 0);
    }
}
