//! A user's read marks: a channel read up to a position (its notifications with it),
//! notifications read one by one or all at once.

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ChatReaderEvent as E;

use super::ApplyError;

pub async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    read: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let user_id = event.stream_id.0;
    match read {
        E::ChannelRead { channel_id } => {
            sqlx::query(
                "UPDATE members SET last_read_position = $4 \
                 WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(user_id)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE notifications SET read_at = $4 \
                 WHERE tenant_id = $1 AND user_id = $2 AND channel_id = $3 \
                   AND read_at IS NULL AND position < $5",
            )
            .bind(tenant_id)
            .bind(user_id)
            .bind(channel_id)
            .bind(event.recorded_at)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
        }
        E::NotificationsRead { message_ids } => {
            sqlx::query(
                "UPDATE notifications SET read_at = $4 \
                 WHERE tenant_id = $1 AND user_id = $2 AND message_id = ANY($3) \
                   AND read_at IS NULL",
            )
            .bind(tenant_id)
            .bind(user_id)
            .bind(message_ids)
            .bind(event.recorded_at)
            .execute(&mut *conn)
            .await?;
        }
        E::AllNotificationsRead {} => {
            sqlx::query(
                "UPDATE notifications SET read_at = $3 \
                 WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL AND position < $4",
            )
            .bind(tenant_id)
            .bind(user_id)
            .bind(event.recorded_at)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
