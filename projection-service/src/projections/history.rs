//! The case-history timeline: one entry per conversation event — messages, notes,
//! internal messages, assignments, visibility and status changes — with its position,
//! time, actor, kind and data. (`as_of` replays come from the log itself, not from here.)

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use super::{ApplyError, access, conversation_event};

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    let Some(conversation) = conversation_event(event)? else {
        return Ok(());
    };
    access::apply(conn, event, &conversation).await?;
    if matches!(conversation, E::ConversationDeleted {}) {
        // A deleted case leaves the read models; the log keeps its history.
        sqlx::query("DELETE FROM entries WHERE tenant_id = $1 AND conversation_id = $2")
            .bind(event.tenant_id.0)
            .bind(event.stream_id.0)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO entries (tenant_id, conversation_id, position, stream_version, at, actor, kind, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(event.position.0)
    .bind(event.stream_version.0)
    .bind(event.recorded_at)
    .bind(serde_json::to_value(&event.metadata.actor)?)
    .bind(entry_kind(&event.event_type))
    .bind(&event.payload)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `MessageReceived` -> `message_received`.
pub fn entry_kind(event_type: &str) -> String {
    let mut kind = String::with_capacity(event_type.len() + 4);
    for (index, character) in event_type.char_indices() {
        if character.is_ascii_uppercase() {
            if index > 0 {
                kind.push('_');
            }
            kind.push(character.to_ascii_lowercase());
        } else {
            kind.push(character);
        }
    }
    kind
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_entry_kind_is_the_event_type_in_snake_case() {
        assert_eq!(super::entry_kind("MessageReceived"), "message_received");
        assert_eq!(super::entry_kind("TopicSet"), "topic_set");
    }
}
