//! Driving clients: closed loop (each client sends its next command as soon as the last
//! was answered: the maximum rate) or paced (commands start on a schedule, whether or
//! not earlier ones were slow, so a stall shows as latency rather than fewer samples).

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::mpsc;

use crate::mix::{Client, Sent};

pub struct LoadResult {
    /// Latency of successful commands, µs.
    pub latency: Histogram<u64>,
    pub succeeded: u64,
    pub failed: u64,
    pub seconds: f64,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.succeeded as f64 / self.seconds
    }
}

/// Runs `clients` as fast as each gets answers, for `duration`; hands them back.
/// Every answered command also goes to `sent`, if given.
pub async fn closed_loop(
    clients: Vec<Client>,
    duration: Duration,
    sent: Option<mpsc::UnboundedSender<Sent>>,
) -> (Vec<Client>, LoadResult) {
    run(clients, duration, None, sent).await
}

/// Runs `clients` together at `rate` commands/s in all, for `duration`.
pub async fn paced(
    clients: Vec<Client>,
    rate: f64,
    duration: Duration,
    sent: Option<mpsc::UnboundedSender<Sent>>,
) -> (Vec<Client>, LoadResult) {
    run(clients, duration, Some(rate), sent).await
}

async fn run(
    clients: Vec<Client>,
    duration: Duration,
    rate: Option<f64>,
    sent: Option<mpsc::UnboundedSender<Sent>>,
) -> (Vec<Client>, LoadResult) {
    let count = clients.len();
    let started = Instant::now();
    let deadline = started + duration;
    // Each client's share of the rate: one command every `interval`, staggered.
    let interval = rate.map(|rate| Duration::from_secs_f64(count as f64 / rate));
    let mut tasks = Vec::with_capacity(count);
    for (index, mut client) in clients.into_iter().enumerate() {
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let mut latency = Histogram::<u64>::new(3).expect("histogram bounds");
            let (mut succeeded, mut failed) = (0u64, 0u64);
            let mut next = started
                + interval.map_or(Duration::ZERO, |i| i.mul_f64(index as f64 / count as f64));
            loop {
                if let Some(interval) = interval {
                    tokio::time::sleep_until(next.into()).await;
                    next += interval;
                }
                if Instant::now() >= deadline {
                    break;
                }
                let outcome = client.send_next().await;
                if outcome.ok {
                    succeeded += 1;
                    latency.record(outcome.micros).expect("in range");
                } else {
                    failed += 1;
                }
                if let Some(sent) = &sent {
                    let _ = sent.send(outcome);
                }
            }
            (client, latency, succeeded, failed)
        }));
    }
    let mut clients = Vec::with_capacity(count);
    let mut result = LoadResult {
        latency: Histogram::new(3).expect("histogram bounds"),
        succeeded: 0,
        failed: 0,
        seconds: 0.0,
    };
    for task in tasks {
        let (client, latency, succeeded, failed) = task.await.expect("a client task");
        clients.push(client);
        result.latency.add(&latency).expect("same bounds");
        result.succeeded += succeeded;
        result.failed += failed;
    }
    result.seconds = started.elapsed().as_secs_f64();
    (clients, result)
}
