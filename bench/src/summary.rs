//! The summary table of BENCHMARKS.md: each measurement's figure, the same figure
//! before the second performance pass, its target and whether it is met.

use std::fmt::Write;

use crate::before;
use crate::rebuild::Rebuild;
use crate::report::{Report, Rest, verdict};

impl Report {
    pub(crate) fn summary(&self, out: &mut String, rest: &Rest) {
        let _ = writeln!(out, "## Summary\n");
        let _ = writeln!(
            out,
            "| # | measurement | figure | before this pass | target | |"
        );
        let _ = writeln!(out, "|---:|---|---|---|---|---|");
        self.command_rows(out);
        let worst = self
            .projection_lag
            .lag
            .iter()
            .map(|(_, lag)| lag.p99_ms)
            .fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| 2 | projection lag at half the highest rate | worst p99 {worst:.1} ms | {} | p99 ≤ 50 ms | {} |",
            before::PROJECTION_LAG,
            verdict(worst <= 50.0)
        );
        if let Some(largest) = rest.queries.last() {
            let cached = largest
                .rows
                .iter()
                .map(|r| r.warm.p99_ms)
                .fold(0.0, f64::max);
            let uncached = largest
                .rows
                .iter()
                .map(|r| r.cold.p99_ms)
                .fold(0.0, f64::max);
            let _ = writeln!(
                out,
                "| 3 | queries at {} conversations, worst p99 | cached {cached:.1} ms, uncached {uncached:.1} ms | {} | ≤ 5 ms, ≤ 20 ms | {} |",
                largest.conversations,
                before::QUERIES,
                verdict(cached <= 5.0 && uncached <= 20.0)
            );
        }
        let slowest = rest
            .rebuilds
            .iter()
            .map(Rebuild::per_second)
            .fold(f64::INFINITY, f64::min);
        let events = rest.rebuilds.first().map_or(0, |r| r.events);
        let _ = writeln!(
            out,
            "| 4 | rebuild of each projection from {events} events, slowest | {slowest:.0} events/s | {} | ≥ 100 000/s | {} |",
            before::REBUILD,
            verdict(slowest >= 100_000.0)
        );
        let _ = writeln!(
            out,
            "| 5 | PDF export of a {}-entry case | {:.0} ms (p50 of {}), {:.0} KiB | {} | ≤ 300 ms | {} |",
            rest.pdf.entries,
            rest.pdf.rendered.p50_ms,
            rest.pdf.rendered.samples,
            rest.pdf.bytes as f64 / 1024.0,
            before::PDF,
            verdict(rest.pdf.rendered.p99_ms <= 300.0)
        );
        let biggest = rest
            .memory_at_end
            .iter()
            .map(|(_, mib)| *mib)
            .fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| 6 | peak RSS, largest service | {biggest:.0} MiB | {} | ≤ 150 MB each | {} |",
            before::MEMORY,
            verdict(biggest * 1.048_576 <= 150.0)
        );
        if let Some(row) = self.commands.iter().find(|row| row.clients == 64) {
            let _ = writeln!(
                out,
                "| 7 | pgbench baseline at 64 clients | {:.0} rows/s, p99 {:.1} ms | {} | (the yardstick) | |",
                row.baseline.per_second,
                row.baseline.latency.p99_ms,
                before::BASELINE_64
            );
        }
        out.push('\n');
    }

    /// The command measurement's rows: rate and latency, relay lag, CPU.
    fn command_rows(&self, out: &mut String) {
        if let Some(row) = self.commands.iter().find(|row| row.clients == 64) {
            let ratio = row.caselog.per_second / row.baseline.per_second;
            let _ = writeln!(
                out,
                "| 1 | commands at 64 clients | {:.0}/s = **{ratio:.2}×** the baseline; p99 {:.1} ms | {} | ≥ 0.5×, p99 ≤ 25 ms | {} |",
                row.caselog.per_second,
                row.caselog.latency.p99_ms,
                before::COMMANDS_64,
                verdict(ratio >= 0.5 && row.caselog.latency.p99_ms <= 25.0)
            );
            let _ = writeln!(
                out,
                "| 1 | relay publish lag at 64 clients | p50 {:.1} ms, p99 {:.1} ms | {} | — | |",
                row.relay_lag.p50_ms,
                row.relay_lag.p99_ms,
                before::RELAY_LAG_64
            );
            let cpu: f64 = row.cpu.iter().map(|(_, micros)| micros).sum();
            let _ = writeln!(
                out,
                "| 1 | CPU per command at 64 clients, every process | {cpu:.0} µs | {} | ≤ 400 µs | {} |",
                before::CPU_PER_COMMAND,
                verdict(cpu <= 400.0)
            );
        }
        if let Some(row) = self.commands.iter().find(|row| row.clients == 16) {
            let _ = writeln!(
                out,
                "| 1 | commands at 16 clients | p99 {:.1} ms | {} | p99 ≤ 10 ms | {} |",
                row.caselog.latency.p99_ms,
                before::COMMANDS_16_P99,
                verdict(row.caselog.latency.p99_ms <= 10.0)
            );
        }
    }
}
