//! What each timeline entry says in a printout: a heading (time, actor, what happened,
//! and whether it is internal) and a body (the message, note or change).

use serde_json::Value;

use caselog_read_model::case_file::TimelineEntry;

pub const INTERNAL: &str = "INTERNAL";

pub struct PrintedEntry {
    pub heading: String,
    pub body: String,
}

pub fn printed(entry: &TimelineEntry) -> PrintedEntry {
    let actor = actor(&entry.actor);
    let mut heading = format!(
        "{} · {} · {}",
        entry.at.format("%Y-%m-%d %H:%M:%S UTC"),
        actor,
        entry.kind.replace('_', " ")
    );
    if entry.is_internal() {
        heading = format!("[{INTERNAL}] {heading}");
    }
    PrintedEntry {
        heading,
        body: body(&entry.kind, &entry.data),
    }
}

fn actor(actor: &Value) -> String {
    let role = actor
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    match actor.get("user_id").and_then(Value::as_str) {
        Some(user) => format!("{role} {user}"),
        None => role.to_owned(),
    }
}

fn text(data: &Value, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn list(data: &Value, field: &str) -> String {
    match data.get(field) {
        Some(Value::Array(items)) if items.is_empty() => "nobody".to_owned(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Null) | None => "everyone in the group".to_owned(),
        Some(other) => other.to_string(),
    }
}

fn content(data: &Value) -> String {
    let content = data.get("content").cloned().unwrap_or(Value::Null);
    let mut lines = Vec::new();
    if let Some(text) = text(&content, "text") {
        lines.push(text);
    }
    if let Some(Value::Array(attachments)) = content.get("attachments") {
        for attachment in attachments {
            lines.push(format!(
                "Attachment: {} ({})",
                text(attachment, "name").unwrap_or_default(),
                text(attachment, "url").unwrap_or_default()
            ));
        }
    }
    if let Some(voice) = content.get("voice").filter(|voice| !voice.is_null()) {
        lines.push(format!(
            "Voice message, {} s ({})",
            voice
                .get("duration_seconds")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            text(voice, "url").unwrap_or_default()
        ));
    }
    let channel = text(data, "channel").unwrap_or_default();
    format!("via {channel}: {}", lines.join("\n"))
}

fn body(kind: &str, data: &Value) -> String {
    match kind {
        "message_received" | "message_sent" => content(data),
        "private_note_added" => text(data, "text").unwrap_or_default(),
        "internal_message_sent" => format!(
            "to {}: {}",
            text(data, "to").unwrap_or_default(),
            text(data, "text").unwrap_or_default()
        ),
        "conversation_assigned" => format!("Assignees: {}", list(data, "assignees")),
        "visibility_changed" => format!("Visible to: {}", list(data, "visible_to")),
        "conversation_started" => format!(
            "Contact {} on {}; assignees: {}; visible to: {}",
            text(data, "contact_id").unwrap_or_default(),
            text(data, "channel").unwrap_or_default(),
            list(data, "assignees"),
            list(data, "visible_to")
        ),
        "topic_set" => format!("Topic: {}", text(data, "topic").unwrap_or_default()),
        _ => match data {
            Value::Object(fields) if fields.is_empty() => String::new(),
            other => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn entry(kind: &str, data: Value) -> TimelineEntry {
        TimelineEntry {
            position: 1,
            stream_version: 1,
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
            actor: json!({"user_id": "u-1", "role": "agent"}),
            kind: kind.to_owned(),
            data,
        }
    }

    #[test]
    fn notes_and_internal_messages_are_marked_internal_and_messages_are_not() {
        let note = printed(&entry(
            "private_note_added",
            json!({"text": "check refund"}),
        ));
        assert!(
            note.heading
                .starts_with("[INTERNAL] 2026-11-21 08:00:00 UTC · agent u-1")
        );
        assert_eq!(note.body, "check refund");
        let message = printed(&entry(
            "message_received",
            json!({"channel": "sms", "content": {"text": "olá"}}),
        ));
        assert!(!message.heading.contains(INTERNAL));
        assert_eq!(message.body, "via sms: olá");
    }
}
