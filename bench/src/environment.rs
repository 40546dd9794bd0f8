//! The machine and the versions a benchmark ran on, printed with its figures.

use std::path::Path;

use sqlx::PgPool;

/// What BENCHMARKS.md says the figures were measured on.
pub struct Environment {
    pub postgres: String,
    pub nats: String,
    pub pgbench: String,
    pub cpus: usize,
    pub memory: String,
    pub cpu_model: String,
}

impl Environment {
    pub async fn probe(pool: &PgPool, nats: &async_nats::Client, pgbench: &Path) -> Self {
        let postgres = sqlx::query_scalar::<_, String>("SHOW server_version")
            .fetch_one(pool)
            .await
            .unwrap_or_default();
        let pgbench = std::process::Command::new(pgbench)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
            .unwrap_or_default();
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split(':').nth(1))
            .map(|model| model.trim().to_owned())
            .unwrap_or_default();
        Self {
            postgres,
            nats: nats.server_info().version,
            pgbench,
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            memory,
            cpu_model,
        }
    }
}
