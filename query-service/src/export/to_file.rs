//! The operator's bulk export (`query-service bulk-export`): the same archive as the
//! route, written to a file, with a progress bar on a terminal (and a line per tenth
//! of the cases otherwise).

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use caselog_eventlog::LogReader;
use caselog_schemas::TenantId;

use super::ExportKind;
use super::bulk::{self, Period};

/// Writes the archive of `tenant_id`'s cases of `period` to `out`; returns a summary.
pub async fn bulk_export(
    reader: &LogReader,
    tenant_id: TenantId,
    period: Period,
    kind: ExportKind,
    out: &Path,
) -> anyhow::Result<serde_json::Value> {
    let cases = bulk::cases_in(reader, tenant_id, period).await?;
    let total = cases.len();
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(total as u64).with_style(ProgressStyle::with_template(
            "{bar:40} {pos}/{len} cases  {per_sec}  {eta} left",
        )?)
    } else {
        ProgressBar::hidden()
    };
    let (progress, mut done) = tokio::sync::watch::channel(0);
    let showing = async {
        let mut told = 0;
        while done.changed().await.is_ok() {
            let now = *done.borrow_and_update();
            bar.set_position(now as u64);
            if bar.is_hidden()
                && (now * 10 / total.max(1) > told * 10 / total.max(1) || now == total)
            {
                eprintln!(
                    "{}",
                    serde_json::json!({"cases_done": now, "cases_total": total})
                );
                told = now;
            }
        }
    };
    let (built, ()) = tokio::join!(
        async move {
            let built = bulk::build(reader, tenant_id, period, kind, &cases, &progress).await;
            drop(progress);
            built
        },
        showing
    );
    let zip = built?;
    bar.finish_and_clear();
    std::fs::write(out, &zip)?;
    Ok(serde_json::json!({
        "out": out,
        "cases": total,
        "bytes": zip.len(),
        "sha256": hex::encode(Sha256::digest(&zip)),
    }))
}
