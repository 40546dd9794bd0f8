//! The figures and BENCHMARKS.md.

use std::fmt::Write;
use std::path::Path;

use sqlx::PgPool;

use crate::relay_rate::RelayRate;

#[derive(Debug, Clone)]
pub struct Measurement {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Measurement {
    /// `histogram` holds microseconds.
    pub fn from_histogram(per_second: f64, histogram: &hdrhistogram::Histogram<u64>) -> Self {
        Self {
            per_second,
            p50_ms: histogram.value_at_quantile(0.50) as f64 / 1000.0,
            p99_ms: histogram.value_at_quantile(0.99) as f64 / 1000.0,
        }
    }
}

pub struct Pair {
    pub round: usize,
    pub clients: usize,
    pub baseline: Measurement,
    pub caselog: Measurement,
}

pub struct Environment {
    pub postgres: String,
    pub nats: String,
    pub pgbench: String,
    pub cpus: usize,
    pub memory: String,
}

impl Environment {
    pub async fn probe(pool: &PgPool, nats_url: &str, pgbench: &Path) -> Self {
        let postgres = sqlx::query_scalar::<_, String>("SHOW server_version")
            .fetch_one(pool)
            .await
            .unwrap_or_default();
        let nats = match async_nats::connect(nats_url).await {
            Ok(client) => client.server_info().version,
            Err(_) => "unknown".into(),
        };
        let pgbench = std::process::Command::new(pgbench)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .next()
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
            })
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
            .unwrap_or_default();
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        Self {
            postgres,
            nats,
            pgbench,
            cpus,
            memory,
        }
    }
}

pub fn render(
    environment: &Environment,
    command: &str,
    pairs: &[Pair],
    relay: &RelayRate,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# caselog benchmarks\n");
    let _ = writeln!(
        out,
        "Produced by `{command}` on {}. Machine: {} cores, {}; PostgreSQL {} (durable: fsync and \
         synchronous_commit on); nats-server {}; {}.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        environment.cpus,
        environment.memory,
        environment.postgres,
        environment.nats,
        environment.pgbench
    );
    let _ = writeln!(
        out,
        "This machine is shared and its disk's fsync rate swings by an order of magnitude, so the \
         absolute figures move from run to run. Each round measures the baseline and caselog back to \
         back on the same Postgres; the figure that matters is the ratio within a round.\n"
    );
    let _ = writeln!(
        out,
        "## Appends: one event per append vs. a single-row durable INSERT\n"
    );
    let _ = writeln!(
        out,
        "Baseline: pgbench, one ~300-byte row per transaction into a table shaped like the event log \
         (same columns and unique keys). caselog: `EventLog::append` of one event per call from N \
         concurrent writers, each awaiting its durable commit (group commit batches whatever waits).\n"
    );
    let _ = writeln!(
        out,
        "| round | clients | baseline rows/s | baseline p50 / p99 ms | caselog appends/s | caselog p50 / p99 ms | ratio |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|");
    for pair in pairs {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | **{:.2}×** |",
            pair.round,
            pair.clients,
            pair.baseline.per_second,
            pair.baseline.p50_ms,
            pair.baseline.p99_ms,
            pair.caselog.per_second,
            pair.caselog.p50_ms,
            pair.caselog.p99_ms,
            pair.caselog.per_second / pair.baseline.per_second
        );
    }
    out.push_str(READING);
    let _ = writeln!(out, "\n## Relay\n");
    let _ = writeln!(
        out,
        "Publishing {} events already in the log to a new JetStream stream (file storage, \
         `Nats-Msg-Id` and `Nats-Expected-Last-Sequence` on every message, batches of 500 pipelined): \
         **{:.0} events/s**.\n",
        relay.events, relay.per_second
    );
    out
}

/// Why the ratios have the shape they have; true of the design, whatever a run measures.
const READING: &str = "
### Reading the figures

- **One writer.** pgbench's transaction is one round trip plus one fsync. A caselog append
  is a hop to the writer task and five round trips (BEGIN, the writer lock, the stream and
  log heads, the insert, COMMIT) plus the same fsync, and the hash chain computed in
  between. At one client nothing is batched, so the extra round trips show in full.
- **Many writers.** The baseline's concurrent transactions each pay their own commit
  (Postgres coalesces some WAL flushes). caselog's writer takes every append that queued
  while the previous batch was flushing into one transaction, so one fsync and one set of
  round trips serve the whole batch: throughput keeps rising with concurrency where the
  baseline's flattens.
- Positions stay contiguous and in commit order at every client count; that ordering is
  what the single writer buys (docs/adr/0001-single-writer-group-commit.md).
";
