//! Internal messages of a case for the viewer: those they sent or received (owners and
//! auditors see all of them).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Viewer;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct InternalMessage {
    pub id: Uuid,
    pub from: Uuid,
    pub to: Uuid,
    pub text: String,
    pub in_reply_to: Option<Uuid>,
    pub sent_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub position: i64,
}

pub async fn for_viewer(
    pool: &PgPool,
    viewer: &Viewer,
    conversation_id: Uuid,
    only_unread: bool,
    after: i64,
    limit: i64,
) -> Result<Vec<InternalMessage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT internal_message_id AS id, from_user AS \"from\", to_user AS \"to\", text, \
                in_reply_to, sent_at, read_at, position \
         FROM rm_internal_messages.internal_messages \
         WHERE tenant_id = $1 AND conversation_id = $2 AND position > $5 \
           AND ($3 OR from_user = $4 OR to_user = $4) \
           AND (NOT $6 OR (to_user = $4 AND read_at IS NULL)) \
         ORDER BY position LIMIT $7",
    )
    .bind(viewer.tenant_id)
    .bind(conversation_id)
    .bind(viewer.sees_all)
    .bind(viewer.user_id)
    .bind(after)
    .bind(only_unread)
    .bind(limit)
    .fetch_all(pool)
    .await
}
