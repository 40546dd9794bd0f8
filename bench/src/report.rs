//! BENCHMARKS.md: the summary table first (every measurement, its figure, its target),
//! then each measurement's detail, then the profile notes kept in `bench/ANALYSIS.md`.

use std::fmt::Write;
use std::time::Duration;

use crate::Cli;
use crate::commands::CommandRow;
use crate::exports::PdfExport;
use crate::figures::Latency;
use crate::projection_lag::ProjectionLag;
use crate::queries::QueryRow;
use crate::rebuild::Rebuild;

pub use crate::environment::Environment;

pub struct QuerySize {
    pub conversations: i64,
    pub events: i64,
    pub seeded_events: usize,
    pub appended_seconds: f64,
    pub caught_up_seconds: f64,
    pub rows: Vec<QueryRow>,
}

pub struct Report {
    pub environment: Environment,
    pub commands: Vec<CommandRow>,
    pub projection_lag: ProjectionLag,
    pub memory_under_commands: Vec<(&'static str, f64)>,
    /// Measurements 3 to 6; `None` in a `--commands-only` run.
    pub rest: Option<Rest>,
}

pub struct Rest {
    pub queries: Vec<QuerySize>,
    pub rebuilds: Vec<Rebuild>,
    pub pdf: PdfExport,
    pub memory_at_end: Vec<(&'static str, f64)>,
}

pub(crate) fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

impl Report {
    pub fn render(&self, cli: &Cli, took: Duration) -> String {
        let mut out = String::new();
        self.header(&mut out, cli, took);
        let Some(rest) = &self.rest else {
            self.commands(&mut out);
            self.projection_lag(&mut out);
            return out;
        };
        self.summary(&mut out, rest);
        self.commands(&mut out);
        self.projection_lag(&mut out);
        rest.queries(&mut out);
        rest.rebuilds(&mut out);
        rest.pdf(&mut out);
        self.memory(&mut out, rest);
        out.push_str(ANALYSIS);
        out
    }

    fn header(&self, out: &mut String, cli: &Cli, took: Duration) {
        let e = &self.environment;
        let _ = writeln!(out, "# caselog benchmarks\n");
        let _ = writeln!(
            out,
            "- **Date:** {}; the run took {:.1} minutes.",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            took.as_secs_f64() / 60.0
        );
        let _ = writeln!(
            out,
            "- **Command:** `deploy/dev bench` (= `caselog-bench{}`).",
            arguments(cli)
        );
        let _ = writeln!(
            out,
            "- **Machine:** {} cores ({}), {}; everything on it: PostgreSQL {} (fsync and \
             synchronous_commit on), nats-server {} (file storage, `sync_interval: always`), \
             the three services (release build), the load generator; {}.",
            e.cpus, e.cpu_model, e.memory, e.postgres, e.nats, e.pgbench
        );
        let _ = writeln!(
            out,
            "- **Load:** HTTP/1.1 keep-alive clients, each a support team member's day over \
             {} tenants: customers' inbound messages 30 %, replies 20 %, assignments, internal \
             messages, notes and resolves 8 % each, closes 6 %, team chat posts 12 %. Every \
             command is checked for its 2xx; latency is recorded in HDR histograms.\n",
            cli.tenants
        );
        let _ = writeln!(
            out,
            "The machine is shared and its disk's fsync rate swings by an order of magnitude, \
             so absolute figures move from run to run; the baseline runs right before each \
             command measurement, on the same Postgres, and the ratio between the two is the \
             figure to compare across runs.\n"
        );
    }

    fn commands(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "## 1 and 7. Commands end to end, against the baseline\n"
        );
        let _ = writeln!(
            out,
            "Baseline: pgbench, one ~300-byte row per durable transaction into a table shaped \
             like the event log (same columns and unique keys). caselog: the command mix, HTTP \
             → decide → append (group commit) → 2xx. Relay lag: from an event's append to its \
             arrival from JetStream, for every event appended during the measurement.\n"
        );
        let _ = writeln!(
            out,
            "| clients | baseline rows/s | baseline p50 / p99 ms | caselog commands/s | caselog p50 / p99 / p99.9 ms | ratio | refused | relay lag p50 / p99 / p99.9 ms |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.commands {
            let _ = writeln!(
                out,
                "| {} | {:.0} | {:.2} / {:.2} | {:.0} | {} | **{:.2}×** | {} | {} |",
                row.clients,
                row.baseline.per_second,
                row.baseline.latency.p50_ms,
                row.baseline.latency.p99_ms,
                row.caselog.per_second,
                three(&row.caselog.latency),
                row.caselog.per_second / row.baseline.per_second,
                row.refused,
                three(&row.relay_lag),
            );
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "CPU per command, in µs, by process (user + system time from `/proc` over the \
             measurement, divided by the commands answered; `postgres` is the postmaster and \
             every child of it, `load generator` this benchmark's own clients):\n"
        );
        let cpu: Vec<(usize, Vec<(&'static str, f64)>)> = self
            .commands
            .iter()
            .map(|row| (row.clients, row.cpu.clone()))
            .collect();
        out.push_str(&crate::cpu::table(&cpu));
        out.push('\n');
    }

    fn projection_lag(&self, out: &mut String) {
        let lag = &self.projection_lag;
        let _ = writeln!(out, "## 2. Projection lag\n");
        let _ = writeln!(
            out,
            "The mix paced at {:.0} commands/s (half the highest rate above; {:.0}/s achieved). \
             Lag: from a command's 2xx to its position passing the projection's checkpoint \
             (polled every millisecond), for every command that changes that read model.\n",
            lag.target_rate, lag.achieved_rate
        );
        let _ = writeln!(out, "| projection | samples | p50 ms | p99 ms | p99.9 ms |");
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for (name, latency) in &lag.lag {
            let _ = writeln!(
                out,
                "| {name} | {} | {:.1} | {:.1} | {:.1} |",
                latency.samples, latency.p50_ms, latency.p99_ms, latency.p999_ms
            );
        }
        out.push('\n');
    }

    fn memory(&self, out: &mut String, rest: &Rest) {
        let _ = writeln!(out, "## 6. Memory\n");
        let _ = writeln!(
            out,
            "Peak resident set (VmHWM) of each service: after the command measurements, and at \
             the end of the run (after the seeded history, the queries and the exports).\n"
        );
        let _ = writeln!(out, "| service | after commands MiB | at the end MiB |");
        let _ = writeln!(out, "|---|---:|---:|");
        for ((name, under), (_, end)) in self.memory_under_commands.iter().zip(&rest.memory_at_end)
        {
            let _ = writeln!(out, "| {name} | {under:.0} | {end:.0} |");
        }
        out.push('\n');
    }
}

impl Rest {
    fn queries(&self, out: &mut String) {
        let _ = writeln!(out, "## 3. Queries\n");
        let _ = writeln!(
            out,
            "One request at a time, with `X-Min-Position`. Cold: each request asks for something \
             the query cache has not seen (another viewer, filter or conversation); warm: the \
             same requests again. The history was appended straight to the log, sealed as the \
             command service seals it, and projected live by the projection service: every \
             conversation a support day of ten events (messages both ways, an assignment, a \
             note, an internal message, then open, resolved or closed).\n"
        );
        for size in &self.queries {
            let _ = writeln!(
                out,
                "**{} conversations** ({} events in the log; {} seeded in {:.1} s, applied by \
                 all five projections {:.1} s after the last append):\n",
                size.conversations,
                size.events,
                size.seeded_events,
                size.appended_seconds,
                size.caught_up_seconds
            );
            let _ = writeln!(
                out,
                "| query | cold p50 / p99 ms | warm p50 / p99 ms | samples |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|");
            for row in &size.rows {
                let _ = writeln!(
                    out,
                    "| {} | {:.2} / {:.2} | {:.2} / {:.2} | {} |",
                    row.query,
                    row.cold.p50_ms,
                    row.cold.p99_ms,
                    row.warm.p50_ms,
                    row.warm.p99_ms,
                    row.cold.samples
                );
            }
            out.push('\n');
        }
    }

    fn rebuilds(&self, out: &mut String) {
        let _ = writeln!(out, "## 4. Rebuilds\n");
        let _ = writeln!(
            out,
            "`projection-service rebuild <name>`: the whole log replayed into a fresh schema \
             while the live one serves, then swapped in.\n"
        );
        let _ = writeln!(out, "| projection | events | seconds | events/s |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for rebuild in &self.rebuilds {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {:.0} |",
                rebuild.projection,
                rebuild.events,
                rebuild.seconds,
                rebuild.per_second()
            );
        }
        out.push('\n');
    }

    fn pdf(&self, out: &mut String) {
        let pdf = &self.pdf;
        let _ = writeln!(out, "## 5. PDF export\n");
        let _ = writeln!(
            out,
            "`GET /v1/conversations/{{id}}/export.pdf` of {} cases of {} entries each, as an \
             auditor: rendered p50 {:.0} ms, p99 {:.0} ms; served again from the cache p50 \
             {:.1} ms; {} bytes each.\n",
            pdf.rendered.samples,
            pdf.entries,
            pdf.rendered.p50_ms,
            pdf.rendered.p99_ms,
            pdf.cached.p50_ms,
            pdf.bytes
        );
    }
}

fn three(latency: &Latency) -> String {
    format!(
        "{:.1} / {:.1} / {:.1}",
        latency.p50_ms, latency.p99_ms, latency.p999_ms
    )
}

fn arguments(cli: &Cli) -> String {
    if cli.smoke {
        return " --smoke".into();
    }
    let list = |values: &[usize]| {
        values
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        " --seconds {} --clients {} --tenants {} --customers {} --lag-seconds {} \
         --conversations {} --query-tenants {} --query-samples {} --pdf-entries {} --pdf-cases {}",
        cli.seconds,
        list(&cli.clients),
        cli.tenants,
        cli.customers,
        cli.lag_seconds,
        list(&cli.conversations),
        cli.query_tenants,
        cli.query_samples,
        cli.pdf_entries,
        cli.pdf_cases
    )
}

/// Where the time goes, from profiles; kept by hand beside the generator.
const ANALYSIS: &str = include_str!("../ANALYSIS.md");
