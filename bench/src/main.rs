//! `caselog-bench`: the performance suite. It starts the real services (the binaries in
//! `CASELOG_BIN_DIR`) on a database and JetStream stream of its own, drives them over
//! HTTP/1.1 keep-alive with a support team's command mix over many tenants, and writes
//! what it measured to BENCHMARKS.md:
//!
//! 1. commands end to end at each client count, with the relay's publish lag;
//! 2. projection lag at half the highest command rate;
//! 3. query latency at two sizes of history, query cache cold and warm;
//! 4. rebuilding every projection from the whole log;
//! 5. the PDF export of a long case;
//! 6. each service's peak memory;
//! 7. the pgbench baseline, run right before each command measurement.

mod baseline;
mod before;
mod commands;
mod cpu;
mod environment;
mod exports;
mod figures;
mod load;
mod memory;
mod mix;
mod projection_lag;
mod queries;
mod rebuild;
mod relay_lag;
mod report;
mod seed;
mod summary;
mod team;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;

use caselog_eventlog::{EventLog, WriterConfig, head_channel};
use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

#[derive(Parser, Clone)]
pub struct Cli {
    /// Path to pgbench.
    #[arg(long, default_value = "pgbench")]
    pgbench: PathBuf,
    /// Where to write the report (it is printed either way).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A run of seconds with tiny figures, to show every measurement still works.
    #[arg(long)]
    smoke: bool,
    /// Seconds per command measurement.
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// Concurrent clients to measure commands at.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64,256")]
    clients: Vec<usize>,
    /// Tenants the clients are spread over.
    #[arg(long, default_value_t = 32)]
    tenants: usize,
    /// Customers each client serves.
    #[arg(long, default_value_t = 12)]
    customers: usize,
    /// Seconds of the projection lag measurement.
    #[arg(long, default_value_t = 10)]
    lag_seconds: u64,
    /// Conversations in the log when queries are measured (each size in turn).
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    conversations: Vec<usize>,
    /// Tenants the seeded conversations go to (the first of the clients' tenants).
    #[arg(long, default_value_t = 10)]
    query_tenants: usize,
    /// Requests per query and cache state.
    #[arg(long, default_value_t = 200)]
    query_samples: usize,
    /// Entries of each case exported to PDF.
    #[arg(long, default_value_t = 1000)]
    pdf_entries: usize,
    /// Cases exported.
    #[arg(long, default_value_t = 5)]
    pdf_cases: usize,
    /// Measure only commands, the baseline and projection lag (1, 2 and 7), for a quick
    /// comparison of two builds; the report is printed, not written to BENCHMARKS.md.
    #[arg(long)]
    commands_only: bool,
    /// Leave the run's database behind (its name is printed) to inspect query plans.
    #[arg(long)]
    keep_database: bool,
}

impl Cli {
    fn smoke(mut self) -> Self {
        self.seconds = 1;
        self.clients = vec![1, 4];
        self.tenants = 2;
        self.customers = 3;
        self.lag_seconds = 1;
        self.conversations = vec![60, 120];
        self.query_tenants = 2;
        self.query_samples = 10;
        self.pdf_entries = 50;
        self.pdf_cases = 1;
        self
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    // Progress lines (seeding) on stderr when no terminal shows a bar.
    caselog_platform::telemetry::init_stderr(caselog_platform::settings::LogFormat::Text)?;
    if cli.smoke {
        cli = cli.smoke();
    }
    let started = Instant::now();
    let mut stack = Stack::start_with(&service_env()).await;
    let outcome = run(&cli, &stack).await;
    if cli.keep_database {
        stack.database.keep();
        eprintln!("the run's database is kept: {}", stack.database.name);
    }
    stack.stop().await;
    let report = outcome?;
    let text = report.render(&cli, started.elapsed());
    if let Some(out) = cli.out.as_ref().filter(|_| !cli.commands_only) {
        std::fs::write(out, &text)?;
    }
    println!("{text}");
    Ok(())
}

/// 3: queries at each size of history, seeding the log up to each.
async fn queries_at_each_size(
    cli: &Cli,
    pool: &sqlx::PgPool,
    log: &EventLog,
    query_teams: &[team::Team],
) -> anyhow::Result<Vec<report::QuerySize>> {
    let mut seeded = 0;
    let mut sample = Vec::new();
    let mut query_sizes = Vec::new();
    for &size in &cli.conversations {
        eprintln!("seeding the log up to {size} conversations");
        let begun = Instant::now();
        let (events, ids) = seed::conversations(pool, log, query_teams, seeded..size).await?;
        let appended_in = begun.elapsed();
        let applied_in = projection_lag::caught_up(pool, Duration::from_secs(900)).await?;
        eprintln!(
            "  {events} events appended in {:.1} s; projections caught up {:.1} s later",
            appended_in.as_secs_f64(),
            applied_in.as_secs_f64()
        );
        seeded = size;
        // Every hundredth conversation, so samples spread over the whole history.
        sample.extend(ids.into_iter().step_by(97));
        let conversations = count(pool, "SELECT count(*) FROM rm_inbox.conversations").await?;
        let events_in_log = caselog_eventlog::LogReader::new(pool.clone())
            .count()
            .await?;
        eprintln!("queries at {conversations} conversations");
        let rows = queries::measure(query_teams, &sample, cli.query_samples).await?;
        query_sizes.push(report::QuerySize {
            conversations,
            events: events_in_log,
            seeded_events: events,
            appended_seconds: appended_in.as_secs_f64(),
            caught_up_seconds: applied_in.as_secs_f64(),
            rows,
        });
    }
    Ok(query_sizes)
}

async fn run(cli: &Cli, stack: &Stack) -> anyhow::Result<report::Report> {
    let pool = &stack.database.pool;
    let relay = relay_lag::RelayLag::follow(&stack.nats.client, &stack.nats.subject_root).await?;
    baseline::prepare(pool).await?;

    eprintln!("setting up {} tenants", cli.tenants);
    let mut teams = Vec::with_capacity(cli.tenants);
    for _ in 0..cli.tenants {
        teams.push(team::Team::set_up(stack).await?);
    }
    let most = cli.clients.iter().copied().max().unwrap_or(1);
    eprintln!("setting up {most} clients");
    let mut clients = Vec::with_capacity(most);
    for index in 0..most {
        let team = teams[index % teams.len()].clone();
        clients.push(mix::Client::new(team, cli.customers, index as u64).await?);
    }

    // 1 and 7: commands against the baseline.
    let database_url = plain_url(&stack.database.admin_url);
    let sweep = commands::Sweep {
        pgbench: &cli.pgbench,
        database_url: &database_url,
        duration: Duration::from_secs(cli.seconds),
        relay: &relay,
        cpu: &cpu::CpuMeter::find(stack, pool).await,
    };
    let (mut clients, commands) = sweep.run(clients, &cli.clients).await?;
    let memory_under_commands = memory::peaks(stack);

    // 2: projection lag at half the highest rate, from at most 64 clients.
    let highest = commands
        .iter()
        .map(|row| row.caselog.per_second)
        .fold(0.0, f64::max);
    let lag_clients = cli
        .clients
        .iter()
        .copied()
        .filter(|&n| n <= 64)
        .max()
        .unwrap_or(1);
    eprintln!(
        "projection lag: {lag_clients} clients at {:.0} commands/s",
        highest / 2.0
    );
    projection_lag::caught_up(pool, Duration::from_secs(120)).await?;
    let rest = clients.split_off(lag_clients);
    let (mut used, projection_lag) = projection_lag::measure(
        pool,
        clients,
        highest / 2.0,
        Duration::from_secs(cli.lag_seconds),
    )
    .await?;
    used.extend(rest);
    drop(used);
    let report = report::Report {
        environment: report::Environment::probe(pool, &stack.nats.client, &cli.pgbench).await,
        commands,
        projection_lag,
        memory_under_commands,
        rest: None,
    };
    if cli.commands_only {
        return Ok(report);
    }

    // 3: queries at each size of history.
    let log = EventLog::start(pool.clone(), WriterConfig::default(), head_channel());
    let query_teams = &teams[..cli.query_tenants.min(teams.len())];
    let query_sizes = queries_at_each_size(cli, pool, &log, query_teams).await?;

    // 4: rebuilding every projection from the whole log.
    eprintln!("rebuilding every projection");
    let rebuilds = rebuild::measure(stack).await;

    // 5: the PDF export of long cases.
    eprintln!(
        "PDF export of {} cases of {} entries",
        cli.pdf_cases, cli.pdf_entries
    );
    let mut cases = Vec::new();
    for _ in 0..cli.pdf_cases {
        cases.push(seed::long_case(pool, &log, &teams[0], cli.pdf_entries).await?);
    }
    projection_lag::caught_up(pool, Duration::from_secs(120)).await?;
    let auditor = stack.session(teams[0].tenant, uuid::Uuid::now_v7(), Role::Auditor);
    let pdf = exports::measure(&auditor, &cases, cli.pdf_entries).await?;
    eprintln!(
        "  rendered {}; cached {}; {} bytes",
        pdf.rendered, pdf.cached, pdf.bytes
    );

    // 6: memory.
    let memory_at_end = memory::peaks(stack);
    Ok(report::Report {
        rest: Some(report::Rest {
            queries: query_sizes,
            rebuilds,
            pdf,
            memory_at_end,
        }),
        ..report
    })
}

async fn count(pool: &sqlx::PgPool, sql: &'static str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

/// The services as deployed, not as the tests tune them (faster timers there).
fn service_env() -> Vec<(&'static str, String)> {
    vec![
        ("CASELOG_AUTO_CLOSE_POLL_MS", "1000".into()),
        ("CASELOG_PROJECTION_IDLE_CHECK_MS", "2000".into()),
        ("CASELOG_DASHBOARD_POLL_MS", "250".into()),
        ("RUST_LOG", "warn,caselog_platform=info".into()),
    ]
}

/// A libpq URL for pgbench, which refuses sqlx's extra parameters.
fn plain_url(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}
