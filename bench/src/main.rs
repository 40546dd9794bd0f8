//! `caselog-bench`: measures the event log against the machine's own baseline, in one
//! run on one Postgres, rounds interleaved so a slow spell of the disk hits both sides.
//!
//! - baseline: pgbench, one durable single-row INSERT per transaction into a table
//!   shaped like the event log (~300-byte rows), at 1, 16 and 64 clients;
//! - caselog: `EventLog::append` of one event per append through the group-commit
//!   writer, at 1, 16 and 64 concurrent writers;
//! - the relay: events/s published to JetStream from a log it has not seen.

mod appends;
mod baseline;
mod database;
mod relay_rate;
mod report;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
struct Cli {
    /// Path to pgbench.
    #[arg(long, default_value = "pgbench")]
    pgbench: PathBuf,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// Interleaved rounds (baseline, caselog) per client count.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Concurrent clients to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    clients: Vec<usize>,
    /// Events the relay publishes in its measurement.
    #[arg(long, default_value_t = 50_000)]
    relay_events: usize,
    /// A server URL whose user may create databases.
    #[arg(
        long,
        env = "CASELOG_BENCH_DATABASE_URL",
        default_value = "postgres://caselog@127.0.0.1:55432/postgres"
    )]
    database_url: String,
    #[arg(
        long,
        env = "CASELOG_BENCH_NATS_URL",
        default_value = "nats://127.0.0.1:54222"
    )]
    nats_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let duration = Duration::from_secs(cli.seconds);
    let bench_db = database::BenchDatabase::create(&cli.database_url).await?;
    baseline::prepare(&bench_db.pool).await?;

    let mut measurements = Vec::new();
    for round in 1..=cli.rounds {
        for &clients in &cli.clients {
            eprintln!("round {round}: pgbench baseline, {clients} clients");
            let base = baseline::run(&cli.pgbench, &bench_db.url, clients, duration).await?;
            eprintln!(
                "  {:.0} rows/s, p50 {:.2} ms, p99 {:.2} ms",
                base.per_second, base.p50_ms, base.p99_ms
            );
            eprintln!("round {round}: caselog appends, {clients} writers");
            let ours = appends::run(&bench_db.pool, clients, duration).await?;
            eprintln!(
                "  {:.0} appends/s, p50 {:.2} ms, p99 {:.2} ms",
                ours.per_second, ours.p50_ms, ours.p99_ms
            );
            measurements.push(report::Pair {
                round,
                clients,
                baseline: base,
                caselog: ours,
            });
        }
    }

    eprintln!("relay: publishing {} events", cli.relay_events);
    let relay = relay_rate::run(&bench_db, &cli.nats_url, cli.relay_events).await?;
    eprintln!("  {:.0} events/s", relay.per_second);

    let environment = report::Environment::probe(&bench_db.pool, &cli.nats_url, &cli.pgbench).await;
    let text = report::render(&environment, &cli_line(&cli), &measurements, &relay);
    std::fs::write(&cli.out, &text)?;
    println!("{text}");
    bench_db.drop().await;
    Ok(())
}

fn cli_line(cli: &Cli) -> String {
    let clients: Vec<String> = cli.clients.iter().map(ToString::to_string).collect();
    format!(
        "deploy/dev bench   (= caselog-bench --seconds {} --rounds {} --clients {} --relay-events {})",
        cli.seconds,
        cli.rounds,
        clients.join(","),
        cli.relay_events
    )
}
