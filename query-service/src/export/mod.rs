//! The PDF export of a case history (DESIGN.md §5): PDF/A-2b, fonts shipped with the
//! project, page numbers, and the hash-chain head so a printout can be checked against
//! the log.
//!
//! - [`timeline`]: what each entry says, as text (pure);
//! - [`fonts`]: the shipped fonts and the visible replacement of what none covers;
//! - [`pdf`]: layout (parley) and PDF writing (krilla).
//!
//! User text only ever becomes glyphs in a content stream: it never reaches an object,
//! a name, an action or the document's metadata, so it cannot inject any.

pub mod fonts;
pub mod pdf;
pub mod timeline;

use caselog_projection_service::projections::history::case_file::CaseFile;

/// Everything one export prints.
#[derive(Debug, Clone)]
pub struct CaseDocument {
    pub file: CaseFile,
    /// The contact's name as of the export's position.
    pub contact_name: Option<String>,
}

pub use pdf::{ExportError, render};
