//! One row per fault test for `docs/RELIABILITY.md`: `deploy/dev faults` points
//! `CASELOG_FAULTS_REPORT` at a file, each test appends its row as a JSON line, and the
//! script turns the lines into the table. Without the variable nothing is written.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use super::load::Ledger;
use super::oracle::Verdict;

#[derive(Debug, Serialize)]
pub struct Row {
    pub fault: String,
    pub load: String,
    pub acknowledged: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub server_errors: u64,
    pub internal_errors: u64,
    pub recovery_seconds: f64,
}

impl Row {
    pub fn new(
        fault: &str,
        load: &str,
        ledger: &Ledger,
        verdict: &Verdict,
        recovery: Duration,
    ) -> Self {
        Self {
            fault: fault.to_owned(),
            load: load.to_owned(),
            acknowledged: ledger.acknowledged.len(),
            lost: verdict.lost,
            duplicated: verdict.duplicated,
            server_errors: ledger.server_errors(),
            internal_errors: ledger.internal_errors(),
            recovery_seconds: (recovery.as_secs_f64() * 10.0).round() / 10.0,
        }
    }

    /// Prints the row, and appends it to `CASELOG_FAULTS_REPORT` when that is set.
    pub fn record(&self) {
        let line = serde_json::to_string(self).expect("a row serialises");
        eprintln!("fault report: {line}");
        if let Ok(path) = std::env::var("CASELOG_FAULTS_REPORT") {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("open the fault report");
            writeln!(file, "{line}").expect("append to the fault report");
        }
    }
}
