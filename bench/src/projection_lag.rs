//! Measurement 2: projection lag, from a command's answer (its events are committed by
//! then) to the moment the read model's checkpoint has passed the command's position,
//! watched by polling each projection's checkpoint every millisecond.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use sqlx::PgPool;
use tokio::sync::mpsc;

use crate::figures::Latency;
use crate::load;
use crate::mix::{Client, Kind, Sent};

/// The read models the mix changes, with the commands that change each.
pub const PROJECTIONS: [&str; 4] = ["inbox", "history", "internal_messages", "chat"];

fn changes(projection: &str, kind: Kind) -> bool {
    match projection {
        "chat" => kind == Kind::ChatPost,
        "internal_messages" => kind == Kind::InternalMessage,
        _ => kind != Kind::ChatPost,
    }
}

pub struct ProjectionLag {
    pub target_rate: f64,
    pub achieved_rate: f64,
    pub lag: Vec<(&'static str, Latency)>,
}

/// Runs `clients` at `rate` commands/s for `duration` and measures every command's lag.
pub async fn measure(
    pool: &PgPool,
    clients: Vec<Client>,
    rate: f64,
    duration: Duration,
) -> anyhow::Result<(Vec<Client>, ProjectionLag)> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let watcher = tokio::spawn(watch(pool.clone(), receiver));
    let (clients, result) = load::paced(clients, rate, duration, Some(sender)).await;
    let histograms = watcher.await??;
    Ok((
        clients,
        ProjectionLag {
            target_rate: rate,
            achieved_rate: result.per_second(),
            lag: PROJECTIONS
                .iter()
                .map(|name| (*name, Latency::from_histogram(&histograms[name])))
                .collect(),
        },
    ))
}

/// Resolves every sent command against the checkpoints until the senders are gone and
/// nothing is pending (or the read models are 30 s behind: then they are broken).
async fn watch(
    pool: PgPool,
    mut sent: mpsc::UnboundedReceiver<Sent>,
) -> anyhow::Result<HashMap<&'static str, Histogram<u64>>> {
    let mut histograms: HashMap<&'static str, Histogram<u64>> = PROJECTIONS
        .iter()
        .map(|name| (*name, Histogram::new(3).expect("bounds")))
        .collect();
    let mut pending: Vec<(&'static str, i64, Instant)> = Vec::new();
    let mut senders_done = false;
    let mut last_progress = Instant::now();
    loop {
        loop {
            match sent.try_recv() {
                Ok(outcome) if outcome.ok && outcome.position > 0 => {
                    for name in PROJECTIONS {
                        if changes(name, outcome.kind) {
                            pending.push((name, outcome.position, outcome.answered));
                        }
                    }
                }
                Ok(_) => {}
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    senders_done = true;
                    break;
                }
            }
        }
        if senders_done && pending.is_empty() {
            return Ok(histograms);
        }
        let checkpoints = checkpoints(&pool).await?;
        let now = Instant::now();
        let before = pending.len();
        pending.retain(|(name, position, answered)| {
            if checkpoints[name] < *position {
                return true;
            }
            let micros = now.saturating_duration_since(*answered).as_micros().max(1) as u64;
            let _ = histograms.get_mut(name).expect("known").record(micros);
            false
        });
        if pending.len() < before {
            last_progress = now;
        }
        anyhow::ensure!(
            last_progress.elapsed() < Duration::from_secs(30),
            "the read models made no progress for 30 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Each projection's checkpoint.
pub async fn checkpoints(pool: &PgPool) -> anyhow::Result<HashMap<&'static str, i64>> {
    let row: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT position FROM rm_inbox.checkpoint), \
                (SELECT position FROM rm_history.checkpoint), \
                (SELECT position FROM rm_internal_messages.checkpoint), \
                (SELECT position FROM rm_chat.checkpoint), \
                (SELECT position FROM rm_directory.checkpoint)",
    )
    .fetch_one(pool)
    .await?;
    Ok(HashMap::from([
        ("inbox", row.0),
        ("history", row.1),
        ("internal_messages", row.2),
        ("chat", row.3),
        ("directory", row.4),
    ]))
}

/// Waits until every projection has applied the whole log; returns how long it took.
pub async fn caught_up(pool: &PgPool, within: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let head = caselog_eventlog::LogReader::new(pool.clone())
        .head()
        .await?
        .0;
    loop {
        if checkpoints(pool).await?.values().all(|&p| p >= head) {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < within,
            "the projections did not reach position {head} within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
