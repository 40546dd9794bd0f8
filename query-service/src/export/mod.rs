//! The PDF export of a case history (README "For auditors"): PDF/A-2b, fonts shipped with the
//! project, page numbers, and the hash-chain head so a printout can be checked against
//! the log.
//!
//! - [`document`]: what the case file says, paragraph by paragraph (pure);
//! - [`fonts`]: the shipped fonts and the visible replacement of what none covers;
//! - [`pdf`]: layout (parley) and PDF writing (krilla).
//!
//! User text only ever becomes glyphs in a content stream: it never reaches an object,
//! a name, an action or the document's metadata, so it cannot inject any.

pub mod bulk;
pub mod document;
pub mod fonts;
pub mod jobs;
pub mod pdf;
pub mod to_file;

use serde::Deserialize;

use caselog_read_model::case_file::CaseFile;

use crate::audit::access::AccessRecord;
use crate::audit::people::People;

/// Which case file: everything for the auditors, or what the customer saw.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Deserialize,
    serde::Serialize,
    utoipa::ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Every entry, internal ones marked, and the team's figures.
    #[default]
    #[value(name = "audit_record")]
    AuditRecord,
    /// What the customer saw and wrote: no internal messages, notes or assignments.
    Transcript,
}

impl ExportKind {
    /// The name it goes by in requests and jobs.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::AuditRecord => "audit_record",
            ExportKind::Transcript => "transcript",
        }
    }

    /// What reading it is called in the record of who read what.
    pub fn record_kind(self) -> caselog_schemas::events::RecordKind {
        match self {
            ExportKind::AuditRecord => caselog_schemas::events::RecordKind::AuditRecord,
            ExportKind::Transcript => caselog_schemas::events::RecordKind::Transcript,
        }
    }
}

/// Everything one export prints.
#[derive(Debug, Clone)]
pub struct CaseDocument {
    pub file: CaseFile,
    /// Everyone the case names, as the directory had them.
    pub people: People,
    pub kind: ExportKind,
    /// Who read the case, when the export was asked to say.
    pub access: Option<Vec<AccessRecord>>,
}

pub use pdf::{ExportError, RenderLimits, StopFlag, render};

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Renders on a blocking thread, giving up after `render_time`. The render is told to
/// stop when that time runs out and when this future is dropped (the request timed
/// out, or its client went away), so no abandoned export keeps a core busy.
pub async fn render_bounded(
    document: CaseDocument,
    limits: RenderLimits,
    render_time: Duration,
) -> Result<Vec<u8>, ExportError> {
    let stop = Arc::new(StopFlag::new(false));
    let _stop_when_dropped = StopWhenDropped(stop.clone());
    let rendering = tokio::task::spawn_blocking({
        let stop = stop.clone();
        move || {
            let running = metrics::gauge!("caselog_export_renders_running");
            running.increment(1.0);
            let rendered = render(&document, limits, &stop);
            running.decrement(1.0);
            if matches!(rendered, Err(ExportError::Cancelled)) {
                metrics::counter!("caselog_export_renders_stopped_total").increment(1);
            }
            rendered
        }
    });
    match tokio::time::timeout(render_time, rendering).await {
        Ok(joined) => joined.map_err(|error| ExportError::Pdf(error.to_string()))?,
        Err(_) => Err(ExportError::Cancelled),
    }
}

struct StopWhenDropped(Arc<StopFlag>);

impl Drop for StopWhenDropped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
