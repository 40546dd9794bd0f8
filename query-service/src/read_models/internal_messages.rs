//! Internal messages of a case for the viewer: those they sent or received (owners and
//! auditors see all of them).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::Position;

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
    after: Position,
    limit: i64,
) -> Result<Vec<InternalMessage>, sqlx::Error> {
    sqlx::query_as(include_str!("sql/internal_messages.sql"))
        .bind(viewer.tenant_id.0)
        .bind(conversation_id)
        .bind(viewer.sees_all)
        .bind(viewer.user_id.0)
        .bind(after.0)
        .bind(only_unread)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// An internal message with the conversation it is about.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CaseInternalMessage {
    pub conversation_id: Uuid,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub message: InternalMessage,
}

/// The internal messages the viewer sent or received, across the conversations they
/// may see, newest first (before `before`, a position).
pub async fn mine(
    pool: &PgPool,
    viewer: &Viewer,
    only_unread: bool,
    before: Option<Position>,
    limit: i64,
) -> Result<Vec<CaseInternalMessage>, sqlx::Error> {
    sqlx::query_as(include_str!("sql/my_internal_messages.sql"))
        .bind(viewer.tenant_id.0)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .bind(only_unread)
        .bind(before.map(|position| position.0))
        .bind(limit)
        .fetch_all(pool)
        .await
}
