//! CPU time per process during a measurement, read from `/proc/<pid>/stat` (user plus
//! system time): each caselog service, every Postgres process (the postmaster and its
//! children: backends, WAL writer, checkpointer…), the nats-server, and this load
//! generator. Divided by the commands answered, it is what one command costs each
//! process, so every change shows where it moved the cost.

use std::collections::BTreeMap;

use sqlx::PgPool;

use caselog_testkit::stack::Stack;

/// `/proc` counts in USER_HZ, which Linux fixes at 100 per second for user space.
const TICKS_PER_SECOND: f64 = 100.0;

/// The processes measured, by label.
pub struct CpuMeter {
    services: Vec<(&'static str, u32)>,
    postmaster: Option<u32>,
    nats_server: Option<u32>,
}

/// CPU seconds per label at one moment.
pub type CpuSample = BTreeMap<&'static str, f64>;

impl CpuMeter {
    pub async fn find(stack: &Stack, pool: &PgPool) -> Self {
        let services = [
            ("command-service", stack.command.child.id()),
            ("projection-service", stack.projection.child.id()),
            ("query-service", stack.query.child.id()),
        ]
        .into_iter()
        .filter_map(|(name, pid)| Some((name, pid?)))
        .chain(std::iter::once(("load generator", std::process::id())))
        .collect();
        let backend: Option<i32> = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(pool)
            .await
            .ok();
        let postmaster = backend
            .and_then(|pid| u32::try_from(pid).ok())
            .and_then(|pid| stat(pid).map(|stat| stat.parent));
        Self {
            services,
            postmaster,
            nats_server: nats_server_pid(&caselog_testkit::nats_url()),
        }
    }

    pub fn sample(&self) -> CpuSample {
        let mut sample = CpuSample::new();
        for (name, pid) in &self.services {
            sample.insert(name, stat(*pid).map_or(0.0, |stat| stat.cpu_seconds));
        }
        if let Some(postmaster) = self.postmaster {
            // A backend that exits takes its time with it, into the postmaster's
            // children's time once reaped: counting both keeps the sum whole.
            let children: f64 = processes()
                .filter_map(stat)
                .filter(|stat| stat.parent == postmaster)
                .map(|stat| stat.cpu_seconds)
                .sum();
            let own = stat(postmaster).map_or(0.0, |stat| stat.cpu_seconds + stat.reaped_seconds);
            sample.insert("postgres", own + children);
        }
        if let Some(nats) = self.nats_server {
            sample.insert(
                "nats-server",
                stat(nats).map_or(0.0, |stat| stat.cpu_seconds),
            );
        }
        sample
    }
}

/// Microseconds of CPU per command for each process between `before` and `after`.
pub fn per_command(
    before: &CpuSample,
    after: &CpuSample,
    commands: u64,
) -> Vec<(&'static str, f64)> {
    let commands = commands.max(1) as f64;
    after
        .iter()
        .map(|(name, seconds)| {
            let spent = seconds - before.get(name).copied().unwrap_or(0.0);
            (*name, spent.max(0.0) * 1e6 / commands)
        })
        .collect()
}

struct Stat {
    parent: u32,
    cpu_seconds: f64,
    /// The time of its children that exited and were waited for.
    reaped_seconds: f64,
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    // After the name: state (3), ppid (4), …, utime (14), stime (15), cutime (16),
    // cstime (17).
    let field = |number: usize| {
        fields
            .get(number - 3)
            .and_then(|value| value.parse::<u64>().ok())
    };
    Some(Stat {
        parent: u32::try_from(field(4)?).ok()?,
        cpu_seconds: (field(14)? + field(15)?) as f64 / TICKS_PER_SECOND,
        reaped_seconds: (field(16)? + field(17)?) as f64 / TICKS_PER_SECOND,
    })
}

fn processes() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
}

/// The nats-server listening on `url`'s port (`deploy/dev` starts it with `-p <port>`).
fn nats_server_pid(url: &str) -> Option<u32> {
    let port = url.rsplit(':').next()?.trim_end_matches('/').to_owned();
    processes().find(|pid| {
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            return false;
        };
        let args: Vec<&[u8]> = cmdline.split(|byte| *byte == 0).collect();
        args.first()
            .is_some_and(|program| program.ends_with(b"nats-server"))
            && args
                .windows(2)
                .any(|pair| matches!(pair[0], b"-p" | b"--port") && pair[1] == port.as_bytes())
    })
}

/// The markdown table of CPU per command at each client count: a column per process
/// and their sum.
pub fn table(rows: &[(usize, Vec<(&'static str, f64)>)]) -> String {
    use std::fmt::Write;
    let Some((_, first)) = rows.first() else {
        return String::new();
    };
    let names: Vec<&str> = first.iter().map(|(name, _)| *name).collect();
    let mut out = format!("| clients | {} | all |\n", names.join(" | "));
    let _ = writeln!(out, "|---:|{}---:|", "---:|".repeat(names.len()));
    for (clients, costs) in rows {
        let cells: Vec<String> = costs
            .iter()
            .map(|(_, micros)| format!("{micros:.0}"))
            .collect();
        let all: f64 = costs.iter().map(|(_, micros)| micros).sum();
        let _ = writeln!(out, "| {clients} | {} | **{all:.0}** |", cells.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_parent_and_spends_cpu() {
        let mut spin = 0u64;
        for i in 0..20_000_000u64 {
            spin = spin.wrapping_add(i * i);
        }
        assert!(spin > 0);
        let me = stat(std::process::id()).expect("our own stat");
        assert!(me.parent > 0);
        assert!(me.cpu_seconds > 0.0);
    }

    #[test]
    fn the_cost_per_command_is_the_difference_over_the_commands() {
        let before = CpuSample::from([("postgres", 1.0), ("nats-server", 2.0)]);
        let after = CpuSample::from([("postgres", 1.5), ("nats-server", 2.1)]);
        let costs = per_command(&before, &after, 1000);
        let cost = |name| costs.iter().find(|(n, _)| *n == name).unwrap().1;
        assert!((cost("postgres") - 500.0).abs() < 1e-6);
        assert!((cost("nats-server") - 100.0).abs() < 1e-6);
    }
}
