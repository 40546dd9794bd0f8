//! Messages deleted, reactions added and removed.

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    channel_event: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let at = event.recorded_at;
    match channel_event {
        E::MessageDeleted {
            message_id,
            deleted_by,
        } => {
            // What was said leaves the read model; the log keeps it for auditors.
            sqlx::query(
                "UPDATE messages SET content = NULL, mentions = '{}', deleted_at = $3, \
                   deleted_by = $4 \
                 WHERE tenant_id = $1 AND message_id = $2",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(at)
            .bind(deleted_by.0)
            .execute(&mut *conn)
            .await?;
            for statement in [
                "DELETE FROM reactions WHERE tenant_id = $1 AND message_id = $2",
                "DELETE FROM cards WHERE tenant_id = $1 AND card_id = $2",
                "DELETE FROM notifications WHERE tenant_id = $1 AND message_id = $2",
            ] {
                sqlx::query(statement)
                    .bind(tenant_id)
                    .bind(message_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        E::ReactionAdded {
            message_id,
            user_id,
            emoji,
        } => {
            sqlx::query(
                "INSERT INTO reactions (tenant_id, message_id, user_id, emoji, position) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(user_id.0)
            .bind(emoji)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
        }
        E::ReactionRemoved {
            message_id,
            user_id,
            emoji,
        } => {
            sqlx::query(
                "DELETE FROM reactions \
                 WHERE tenant_id = $1 AND message_id = $2 AND user_id = $3 AND emoji = $4",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(user_id.0)
            .bind(emoji)
            .execute(&mut *conn)
            .await?;
        }
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
