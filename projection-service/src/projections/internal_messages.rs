//! Internal messages per case and recipient: who wrote to whom, what, in reply to
//! which, and when the recipient read it. A thread an admin deleted leaves (the case
//! history records the deletion; the log keeps the messages for auditors).

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use super::{ApplyError, access, conversation_event};

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    let Some(conversation) = conversation_event(event)? else {
        return Ok(());
    };
    access::apply(conn, event, &conversation).await?;
    match conversation {
        E::InternalMessageSent {
            internal_message_id,
            from,
            to,
            text,
            in_reply_to,
        } => {
            sqlx::query(
                "INSERT INTO internal_messages (tenant_id, conversation_id, internal_message_id, \
                   from_user, to_user, text, in_reply_to, sent_at, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            )
            .bind(event.tenant_id.0)
            .bind(event.stream_id.0)
            .bind(internal_message_id)
            .bind(from.0)
            .bind(to.0)
            .bind(text)
            .bind(in_reply_to)
            .bind(event.recorded_at)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
        }
        E::InternalMessageRead {
            internal_message_id,
            ..
        } => {
            sqlx::query(
                "UPDATE internal_messages SET read_at = $3 \
                 WHERE tenant_id = $1 AND internal_message_id = $2",
            )
            .bind(event.tenant_id.0)
            .bind(internal_message_id)
            .bind(event.recorded_at)
            .execute(&mut *conn)
            .await?;
        }
        E::InternalThreadDeleted { message_ids, .. } => {
            sqlx::query(
                "DELETE FROM internal_messages \
                 WHERE tenant_id = $1 AND internal_message_id = ANY($2)",
            )
            .bind(event.tenant_id.0)
            .bind(message_ids)
            .execute(&mut *conn)
            .await?;
        }
        E::ConversationDeleted {} => {
            sqlx::query(
                "DELETE FROM internal_messages WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(event.tenant_id.0)
            .bind(event.stream_id.0)
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}
