//! The baseline: pgbench inserting one ~300-byte row per durable transaction into a table
//! shaped like the event log. Latency percentiles come from pgbench's per-transaction log.

use std::path::Path;
use std::time::Duration;

use sqlx::PgPool;

use crate::figures::Measurement;

const TABLE: &str = "CREATE TABLE IF NOT EXISTS public.baseline_events (
    position        bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    tenant_id       uuid NOT NULL,
    stream_type     text NOT NULL,
    stream_id       uuid NOT NULL,
    stream_version  bigint NOT NULL,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    payload         jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL,
    previous_hash   bytea NOT NULL,
    hash            bytea NOT NULL,
    UNIQUE (tenant_id, stream_type, stream_id, stream_version)
)";

const SCRIPT: &str = r#"INSERT INTO public.baseline_events (event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, previous_hash, hash) VALUES (gen_random_uuid(), '0190f0f0-0000-7000-8000-000000000001', 'conversation', gen_random_uuid(), 1, 'MessageSent', 1, '{"text": "Hello, I ordered a blue jacket last week and it has not arrived yet. Could you check?", "channel": "webchat"}', '{"actor": {"role": "agent", "user_id": null}, "command_id": "0190f0f0-0000-7000-8000-000000000002"}', now(), '\x0000000000000000000000000000000000000000000000000000000000000000', sha256('x'));
"#;

/// Creates the baseline table (in the benchmark's own database, so it is never shared).
pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(TABLE).execute(pool).await?;
    Ok(())
}

pub async fn run(
    pgbench: &Path,
    database_url: &str,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Measurement> {
    let dir =
        std::env::temp_dir().join(format!("caselog-pgbench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("insert.sql");
    std::fs::write(&script, SCRIPT)?;
    let output = tokio::process::Command::new(pgbench)
        .arg("-n")
        .arg("-c")
        .arg(clients.to_string())
        .arg("-j")
        .arg(clients.min(2).to_string())
        .arg("-T")
        .arg(duration.as_secs().to_string())
        .arg("-f")
        .arg(&script)
        .arg("-l")
        .arg("--log-prefix")
        .arg(dir.join("log"))
        .arg(database_url)
        .output()
        .await?;
    anyhow::ensure!(
        output.status.success(),
        "pgbench failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let per_second = stdout
        .lines()
        .find(|line| line.starts_with("tps = "))
        .and_then(|line| line.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|value| value.parse::<f64>().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output:\n{stdout}"))?;

    // Each log line: client_id transaction_no latency_us script_no epoch epoch_us
    let mut histogram = hdrhistogram::Histogram::<u64>::new(3)?;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if !path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("log"))
        {
            continue;
        }
        for line in std::fs::read_to_string(&path)?.lines() {
            if let Some(latency) = line
                .split_whitespace()
                .nth(2)
                .and_then(|v| v.parse::<u64>().ok())
            {
                histogram.record(latency.max(1))?;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Measurement::from_histogram(per_second, &histogram))
}
