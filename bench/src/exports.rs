//! Measurement 5: the auditor's PDF export of a long case, rendered from the log (the
//! first request for each case) and then served again from the query cache.

use std::time::Instant;

use hdrhistogram::Histogram;

use caselog_testkit::stack::Session;

use crate::figures::Latency;

pub struct PdfExport {
    pub entries: usize,
    pub rendered: Latency,
    pub cached: Latency,
    pub bytes: usize,
}

/// Exports each of `cases` (each `entries` long) once cold and once cached.
pub async fn measure(
    auditor: &Session,
    cases: &[String],
    entries: usize,
) -> anyhow::Result<PdfExport> {
    let mut rendered = Histogram::<u64>::new(3)?;
    let mut cached = Histogram::<u64>::new(3)?;
    let mut bytes = 0;
    for case in cases {
        for histogram in [&mut rendered, &mut cached] {
            let started = Instant::now();
            let (status, content_type, body) = auditor
                .get_bytes(&format!("/v1/conversations/{case}/export.pdf"))
                .await;
            histogram.record(started.elapsed().as_micros().max(1) as u64)?;
            anyhow::ensure!(
                status == 200 && content_type == "application/pdf" && body.starts_with(b"%PDF"),
                "export of {case}: {status} {content_type}"
            );
            bytes = body.len();
        }
    }
    Ok(PdfExport {
        entries,
        rendered: Latency::from_histogram(&rendered),
        cached: Latency::from_histogram(&cached),
        bytes,
    })
}
