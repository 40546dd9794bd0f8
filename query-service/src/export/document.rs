//! What a case file says, paragraph by paragraph, before any layout: the title, the
//! header, the summary, the timeline told in words with each person named as they
//! were then (their id in small print), and, when asked, who read the case. The audit
//! record holds everything and marks internal entries; the customer transcript leaves
//! the team's own entries and numbers out.

use chrono::{DateTime, Utc};

use caselog_read_model::case_file::TimelineEntry;

use super::{CaseDocument, ExportKind};
use crate::audit::access::AccessRecord;
use crate::audit::narration::narrate;
use crate::audit::summary::summarize;

pub const INTERNAL: &str = "INTERNAL";

/// How a paragraph looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Title,
    Section,
    Line,
    EntryHeading,
    EntryBody,
    SmallPrint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub style: Style,
    pub text: String,
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Whether the customer sees `entry` in their transcript: what was said and what
/// happened to their conversation, never the team's notes, messages or assignments.
pub fn is_customer_facing(entry: &TimelineEntry) -> bool {
    matches!(
        entry.kind.as_str(),
        "conversation_started"
            | "message_received"
            | "message_sent"
            | "conversation_resolved"
            | "conversation_closed"
            | "conversation_reopened"
            | "conversation_rated"
            | "invoice_attached"
            | "invoice_paid"
    )
}

/// Every paragraph of `document`, in order.
pub fn paragraphs(document: &CaseDocument) -> Vec<Paragraph> {
    let mut out = Vec::new();
    header(document, &mut out);
    timeline(document, &mut out);
    if let Some(reads) = &document.access {
        readers(document, reads, &mut out);
    }
    out
}

fn push(out: &mut Vec<Paragraph>, style: Style, text: String) {
    out.push(Paragraph { style, text });
}

/// The title, who and when, and the summary.
fn header(document: &CaseDocument, out: &mut Vec<Paragraph>) {
    let header = &document.file.header;
    let people = &document.people;
    let title = match document.kind {
        ExportKind::AuditRecord => "Case audit record",
        ExportKind::Transcript => "Conversation transcript",
    };
    push(out, Style::Title, title.to_owned());
    push(
        out,
        Style::SmallPrint,
        format!(
            "case {} · tenant {}",
            header.conversation_id, header.tenant_id
        ),
    );
    let contact = header.contact_id.map_or_else(
        || "unknown".to_owned(),
        |id| people.name(id, header.position),
    );
    push(out, Style::Line, format!("Contact: {contact}"));
    if let Some(id) = header.contact_id {
        push(out, Style::SmallPrint, format!("contact {id}"));
    }
    push(out, Style::Line, format!("Status: {}", header.status));
    let first = document.file.entries.first().map(|entry| entry.at);
    let last = document.file.entries.last().map(|entry| entry.at);
    if let (Some(first), Some(last)) = (first, last) {
        let period = format!("Period: {} to {}", time(first), time(last));
        push(out, Style::Line, period);
    }
    let as_of = format!(
        "As of log position {} (stream version {})",
        header.position, header.stream_version
    );
    push(out, Style::Line, as_of);
    push(
        out,
        Style::Line,
        format!("Chain head (SHA-256): {}", header.head_hash),
    );
    push(out, Style::Section, "Summary".to_owned());
    let customer = document.kind == ExportKind::Transcript;
    for line in summarize(&document.file, people).lines(customer) {
        push(out, Style::Line, line);
    }
}

/// Each entry: when, who (as they were then, id in small print), what, in words.
fn timeline(document: &CaseDocument, out: &mut Vec<Paragraph>) {
    let header = &document.file.header;
    let people = &document.people;
    let customer = document.kind == ExportKind::Transcript;
    push(out, Style::Section, "Timeline".to_owned());
    for entry in &document.file.entries {
        if customer && !is_customer_facing(entry) {
            continue;
        }
        let told = narrate(entry, people, header.contact_id);
        let actor = entry.actor["user_id"]
            .as_str()
            .and_then(|id| uuid::Uuid::parse_str(id).ok());
        let role = actor
            .and_then(|id| people.at(id, entry.position))
            .map(|person| person.role.clone())
            .or_else(|| entry.actor["role"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut heading = format!("{} · {} ({role})", time(entry.at), told.actor_name);
        if !customer && entry.is_internal() {
            heading = format!("[{INTERNAL}] {heading}");
        }
        push(out, Style::EntryHeading, heading);
        if let (false, Some(id)) = (customer, actor) {
            let small = format!("user {id} · position {}", entry.position);
            push(out, Style::SmallPrint, small);
        }
        let text = if customer { told.text } else { told.full() };
        push(out, Style::EntryBody, text);
    }
}

/// Who read the case, when, as of which position and from where.
fn readers(document: &CaseDocument, reads: &[AccessRecord], out: &mut Vec<Paragraph>) {
    push(out, Style::Section, "Who read this case".to_owned());
    if reads.is_empty() {
        push(out, Style::Line, "Nobody yet.".to_owned());
    }
    for read in reads {
        let who = read.user_id.map_or_else(
            || "unknown".to_owned(),
            |id| document.people.name(id, read.position),
        );
        let from = read.client_address.as_deref().unwrap_or("unknown address");
        let what = serde_json::to_value(read.what)
            .ok()
            .and_then(|what| what.as_str().map(|what| what.replace('_', " ")))
            .unwrap_or_default();
        let line = format!(
            "{} · {who} ({}) · {what} as of position {} · from {from}",
            time(read.at),
            read.role,
            read.as_of
        );
        push(out, Style::Line, line);
    }
}
