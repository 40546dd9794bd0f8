//! The internal chat read model: where channels, members, messages, cards, reactions
//! and each user's notification bell are built. It reads the chat streams, the users'
//! read marks, and from the directory who the staff are and their notification
//! preferences. Of a conversation it reads only that its contact came back (the bell
//! tells the agent who handled them first), so chat cannot change a support count or a
//! case history.

mod channels;
mod notify;
mod reads;

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::{ConversationEvent, DirectoryEvent, from_stored};

use super::ApplyError;

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    match event.stream_type.as_str() {
        "chat_channel" => {
            channels::apply(
                conn,
                event,
                &from_stored(&event.event_type, &event.payload)?,
            )
            .await
        }
        "chat_reader" => {
            reads::apply(
                conn,
                event,
                &from_stored(&event.event_type, &event.payload)?,
            )
            .await
        }
        "directory" if event.event_type == "NotificationPreferencesSet" => {
            let preferences: DirectoryEvent = from_stored(&event.event_type, &event.payload)?;
            sqlx::query(
                "INSERT INTO notification_preferences (tenant_id, user_id, preferences) \
                 VALUES ($1, $2, $3) ON CONFLICT (tenant_id, user_id) \
                 DO UPDATE SET preferences = EXCLUDED.preferences",
            )
            .bind(event.tenant_id.0)
            .bind(event.stream_id.0)
            .bind(serde_json::to_value(&preferences)?["payload"].clone())
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        "conversation" if event.event_type == "ContactReturned" => {
            returning_contact(conn, event).await
        }
        "directory" if matches!(event.event_type.as_str(), "UserUpserted" | "UserErased") => {
            staff(conn, event).await
        }
        _ => Ok(()),
    }
}

/// A contact came back: the agent who last handled them finds it in their bell first.
async fn returning_contact(
    conn: &mut PgConnection,
    event: &EventEnvelope,
) -> Result<(), ApplyError> {
    let ConversationEvent::ContactReturned {
        previous_agent: Some(agent),
        ..
    } = from_stored(&event.event_type, &event.payload)?
    else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO notifications (tenant_id, user_id, message_id, conversation_id, kind, bell, \
           email, at, position) \
         VALUES ($1, $2, $3, $3, 'returning_contact', true, false, $4, $5) \
         ON CONFLICT DO NOTHING",
    )
    .bind(event.tenant_id.0)
    .bind(agent.0)
    .bind(event.stream_id.0)
    .bind(event.recorded_at)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Who reads announcements: the tenant's owners, admins, supervisors and agents.
async fn staff(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    let is_staff = match from_stored(&event.event_type, &event.payload)? {
        DirectoryEvent::UserUpserted { role, .. } => role.is_staff(),
        _ => false,
    };
    let statement = if is_staff {
        "INSERT INTO staff (tenant_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM staff WHERE tenant_id = $1 AND user_id = $2"
    };
    sqlx::query(statement)
        .bind(event.tenant_id.0)
        .bind(event.stream_id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
