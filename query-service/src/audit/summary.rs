//! What a case file says on its first page, before the timeline: channels, who had it
//! when, how long the first answer took, how long it lasted, the rating, the topic,
//! each change of status and every attachment.

use chrono::{DateTime, Duration, Utc};

use caselog_read_model::case_file::CaseFile;
use caselog_schemas::events::{ConversationEvent as E, SenderKind, from_stored};

use super::narration::{event_type_of, said};
use super::people::People;

/// The summary, as lines to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSummary {
    pub channels: Vec<String>,
    /// When the assignees changed, and to whom.
    pub assignees: Vec<(DateTime<Utc>, String)>,
    /// From the customer's first message to the first reply by a person.
    pub first_response: Option<Duration>,
    /// From the start to the last close (or to the last entry, while open).
    pub duration: Option<Duration>,
    pub open: bool,
    pub rating: Option<String>,
    pub topic: Option<String>,
    /// When the status changed, and to what.
    pub statuses: Vec<(DateTime<Utc>, &'static str)>,
    /// Every attachment and voice message, with when and who.
    pub attachments: Vec<String>,
}

pub fn summarize(file: &CaseFile, people: &People) -> CaseSummary {
    let mut summary = CaseSummary {
        channels: file
            .header
            .channels
            .iter()
            .map(|channel| channel.as_str().to_owned())
            .collect(),
        topic: file.header.topic.clone(),
        ..CaseSummary::default()
    };
    let (mut started, mut first_message, mut closed) = (None, None, None);
    for entry in &file.entries {
        let Ok(event) = from_stored::<E>(&event_type_of(&entry.kind), &entry.data) else {
            continue;
        };
        let names = |list: &[caselog_schemas::UserId]| {
            let named: Vec<String> = list
                .iter()
                .map(|user| people.name(user.0, entry.position))
                .collect();
            if named.is_empty() {
                "nobody".to_owned()
            } else {
                named.join(", ")
            }
        };
        match &event {
            E::ConversationStarted { assignees, .. } => {
                started = Some(entry.at);
                summary.statuses.push((entry.at, "open"));
                summary.assignees.push((entry.at, names(assignees)));
            }
            E::ConversationAssigned { assignees, .. } => {
                summary.assignees.push((entry.at, names(assignees)));
            }
            E::MessageReceived { content, .. } => {
                first_message.get_or_insert(entry.at);
                attachments(&mut summary, entry.at, "the contact", &said(content));
            }
            E::MessageSent {
                sender_kind,
                author,
                content,
                ..
            } => {
                if *sender_kind == SenderKind::Agent
                    && summary.first_response.is_none()
                    && let Some(asked) = first_message
                {
                    summary.first_response = Some(entry.at - asked);
                }
                let who = author.map_or_else(
                    || "caselog".to_owned(),
                    |user| people.name(user.0, entry.position),
                );
                attachments(&mut summary, entry.at, &who, &said(content));
            }
            E::ConversationResolved {} => summary.statuses.push((entry.at, "resolved")),
            E::ConversationClosed { .. } => {
                closed = Some(entry.at);
                summary.statuses.push((entry.at, "closed"));
            }
            E::ConversationReopened {} => {
                closed = None;
                summary.statuses.push((entry.at, "open"));
            }
            E::ConversationDeleted {} => summary.statuses.push((entry.at, "deleted")),
            E::ConversationRated { score, comment } => {
                summary.rating = Some(match comment {
                    Some(comment) => format!("{score} of 5: {comment}"),
                    None => format!("{score} of 5"),
                });
            }
            _ => {}
        }
    }
    let last = file.entries.last().map(|entry| entry.at);
    summary.open = closed.is_none();
    summary.duration = started.zip(closed.or(last)).map(|(from, to)| to - from);
    summary
}

fn attachments(summary: &mut CaseSummary, at: DateTime<Utc>, who: &str, said: &str) {
    for line in said
        .lines()
        .filter(|line| line.starts_with("Attachment: ") || line.starts_with("Voice message"))
    {
        summary.attachments.push(format!(
            "{} · {who} · {line}",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
}

/// "2 h 5 min", "4 min 12 s", "9 s".
pub fn span(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(0);
    let (days, hours, minutes, rest) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{rest} s"),
        (0, 0, _) => format!("{minutes} min {rest} s"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        _ => format!("{days} d {hours} h"),
    }
}

impl CaseSummary {
    /// The summary's lines, for the printout. `customer` leaves out what is the
    /// team's own business (assignees, response time).
    pub fn lines(&self, customer: bool) -> Vec<String> {
        let time = |at: &DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
        let mut lines = vec![format!("Channels: {}", self.channels.join(", "))];
        if let Some(duration) = self.duration {
            let state = if self.open { " (still open)" } else { "" };
            lines.push(format!("Duration: {}{state}", span(duration)));
        }
        if !customer {
            let response = self
                .first_response
                .map_or_else(|| "no reply yet".to_owned(), span);
            lines.push(format!("First response: {response}"));
            for (at, names) in &self.assignees {
                lines.push(format!("Assigned {}: {names}", time(at)));
            }
            if let Some(topic) = &self.topic {
                lines.push(format!("Topic: {topic}"));
            }
        }
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(at, status)| format!("{status} {}", time(at)))
            .collect();
        lines.push(format!("Status history: {}", statuses.join(" → ")));
        if let Some(rating) = &self.rating {
            lines.push(format!("Rating: {rating}"));
        }
        if self.attachments.is_empty() {
            lines.push("Attachments: none".to_owned());
        } else {
            lines.push("Attachments:".to_owned());
            lines.extend(self.attachments.iter().map(|line| format!("  {line}")));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(Duration::seconds(9)), "9 s");
        assert_eq!(span(Duration::seconds(252)), "4 min 12 s");
        assert_eq!(span(Duration::seconds(7500)), "2 h 5 min");
        assert_eq!(span(Duration::seconds(90_000)), "1 d 1 h");
    }
}
