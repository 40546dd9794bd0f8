//! Who may see each conversation, kept by the projections that serve conversation
//! details (history, internal messages) in their own `conversation_access` table, so
//! each answers from one consistent position.

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use super::ApplyError;

pub async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    conversation: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let conversation_id = event.stream_id.0;
    match conversation {
        E::ConversationStarted { visible_to, .. } => {
            sqlx::query(
                "INSERT INTO conversation_access (tenant_id, conversation_id, visible_to) \
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(user_ids(visible_to))
            .execute(&mut *conn)
            .await?;
        }
        E::VisibilityChanged { visible_to } => {
            sqlx::query(
                "UPDATE conversation_access SET visible_to = $3 \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(user_ids(visible_to))
            .execute(&mut *conn)
            .await?;
        }
        E::ConversationDeleted {} => {
            sqlx::query(
                "UPDATE conversation_access SET deleted = true \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .execute(&mut *conn)
            .await?;
        }
        _ => {}
    }
    Ok(())
}

pub fn user_ids(users: &Option<Vec<caselog_schemas::UserId>>) -> Option<Vec<uuid::Uuid>> {
    users
        .as_ref()
        .map(|list| list.iter().map(|user| user.0).collect())
}
