//! The performance suite's smoke run: `caselog-bench --smoke` takes every measurement
//! of `deploy/dev bench` with tiny figures, against the real services, so the full run
//! does not rot between the times someone runs it. Speed itself is never asserted here.

#[tokio::test]
async fn the_benchmark_suite_takes_every_measurement() {
    let pgbench = std::env::var("PGBENCH").unwrap_or_else(|_| "pgbench".into());
    let output =
        tokio::process::Command::new(caselog_testkit::services::bin_dir().join("caselog-bench"))
            .args(["--smoke", "--pgbench", &pgbench])
            .output()
            .await
            .expect("caselog-bench starts (cargo build --bins)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "caselog-bench --smoke failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for section in [
        "## 1 and 7. Commands end to end",
        "## 2. Projection lag",
        "## 3. Queries",
        "## 4. Rebuilds",
        "## 5. PDF export",
        "## 6. Memory",
    ] {
        assert!(report.contains(section), "no {section:?} in:\n{report}");
    }
    assert!(
        !report.contains("NaN"),
        "a measurement came out empty:\n{report}"
    );
    // Every command of the mix was accepted: a refusal would measure the wrong path.
    let command_rows: Vec<&str> = report
        .lines()
        .skip_while(|line| !line.starts_with("| clients |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert_eq!(command_rows.len(), 2, "one row per client count:\n{report}");
    for row in command_rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[7], "0", "refused commands in {row}");
    }
    // CPU per command is measured for every process, Postgres and NATS included.
    let cpu: Vec<&str> = report
        .lines()
        .skip_while(|line| !line.starts_with("| clients | command-service"))
        .take_while(|line| line.starts_with('|'))
        .collect();
    let header: Vec<&str> = cpu
        .first()
        .expect("a CPU table")
        .split('|')
        .map(str::trim)
        .collect();
    for process in [
        "command-service",
        "projection-service",
        "postgres",
        "nats-server",
    ] {
        assert!(header.contains(&process), "no {process} column: {header:?}");
    }
    assert_eq!(cpu.len(), 4, "one CPU row per client count:\n{report}");
    for row in &cpu[2..] {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let postgres = header.iter().position(|name| *name == "postgres").unwrap();
        assert!(
            cells[postgres].parse::<f64>().unwrap() > 0.0,
            "Postgres spent nothing: {row}"
        );
        let all: f64 = cells[cells.len() - 2].trim_matches('*').parse().unwrap();
        assert!(all > 0.0, "{row}");
    }
}
