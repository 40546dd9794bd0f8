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
}
