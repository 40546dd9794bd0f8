//! Measurement 1 and 7: the command mix end to end (HTTP → decide → append → 2xx) at each
//! client count, each right after the pgbench baseline at the same count, with the
//! relay's publish lag recorded while the mix runs.

use std::path::Path;
use std::time::Duration;

use crate::baseline;
use crate::cpu::{CpuMeter, per_command};
use crate::figures::{Latency, Measurement};
use crate::load;
use crate::mix::Client;
use crate::relay_lag::RelayLag;

pub struct CommandRow {
    pub clients: usize,
    pub baseline: Measurement,
    pub caselog: Measurement,
    pub refused: u64,
    pub relay_lag: Latency,
    /// µs of CPU per answered command, by process.
    pub cpu: Vec<(&'static str, f64)>,
}

pub struct Sweep<'a> {
    pub pgbench: &'a Path,
    pub database_url: &'a str,
    pub duration: Duration,
    pub relay: &'a RelayLag,
    pub cpu: &'a CpuMeter,
}

impl Sweep<'_> {
    /// Runs the first `n` of `clients` for each `n` in `counts`; hands the clients back.
    pub async fn run(
        &self,
        mut clients: Vec<Client>,
        counts: &[usize],
    ) -> anyhow::Result<(Vec<Client>, Vec<CommandRow>)> {
        let mut rows = Vec::new();
        for &count in counts {
            eprintln!("commands: pgbench baseline, {count} clients");
            let base = baseline::run(self.pgbench, self.database_url, count, self.duration).await?;
            eprintln!("  {base}");

            eprintln!("commands: the mix, {count} clients");
            let rest = clients.split_off(count.min(clients.len()));
            self.relay.take();
            let cpu_before = self.cpu.sample();
            let (used, result) = load::closed_loop(clients, self.duration, None).await;
            let cpu = per_command(&cpu_before, &self.cpu.sample(), result.succeeded);
            let relay_lag = Latency::from_histogram(&self.relay.take());
            clients = used;
            clients.extend(rest);
            let caselog = Measurement::from_histogram(result.per_second(), &result.latency);
            eprintln!(
                "  {caselog}, {} refused; relay lag {relay_lag}",
                result.failed
            );
            rows.push(CommandRow {
                clients: count,
                baseline: base,
                caselog,
                refused: result.failed,
                relay_lag,
                cpu,
            });
        }
        Ok((clients, rows))
    }
}
