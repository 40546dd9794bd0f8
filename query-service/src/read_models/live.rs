//! What changed since a position, for the live streams: the inbox's conversations the
//! viewer may see (in the groups their team inbox shows), and the chat's new messages
//! in the channels they may read and new notifications in their bell.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::Position;

use super::Viewer;
use super::conversations::{ConversationSummary, Row};

/// At most this many changes per look; the stream looks again at once after a full one.
pub const BATCH: i64 = 100;

#[derive(sqlx::FromRow)]
struct ChangedRow {
    #[sqlx(flatten)]
    row: Row,
    updated_position: i64,
}

/// The conversations the viewer may see that changed after `after`, oldest change
/// first, each with the position of its change.
pub async fn conversations_changed(
    pool: &PgPool,
    viewer: &Viewer,
    after: Position,
) -> Result<Vec<(Position, ConversationSummary)>, sqlx::Error> {
    let rows: Vec<ChangedRow> = sqlx::query_as(concat!(
        include_str!("sql/summary_columns.sql"),
        include_str!("sql/conversations_changed.sql")
    ))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(viewer.sees_all)
    .bind(viewer.all_groups)
    .bind(after.0)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (Position(row.updated_position), row.row.into()))
        .collect())
}

/// Something new in the chat for the viewer: a message in a channel they may read, or
/// a notification in their bell.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ChatNews {
    /// `message` or `notification`.
    pub kind: String,
    /// Null for a returning contact's notification.
    pub channel_id: Option<Uuid>,
    /// The message's id (a notification's id is its message's; a returning contact's
    /// is their new conversation's).
    pub message_id: Uuid,
    pub author: Option<Uuid>,
    /// `{text?, attachments?, voice?}` of a message; null for a notification or a card.
    pub content: Option<serde_json::Value>,
    /// A shared card: read it with `GET /v1/chat/cards/{card_id}`.
    pub card_id: Option<Uuid>,
    /// A notification's kind: `mention`, `dm`, `announcement` or `returning_contact`.
    pub notification: Option<String>,
    pub at: DateTime<Utc>,
    pub position: i64,
}

/// The chat's news for the viewer after `after`, oldest first.
pub async fn chat_news(
    pool: &PgPool,
    viewer: &Viewer,
    after: Position,
) -> Result<Vec<ChatNews>, sqlx::Error> {
    sqlx::query_as(include_str!("sql/chat_news.sql"))
        .bind(viewer.tenant_id.0)
        .bind(viewer.user_id.0)
        .bind(after.0)
        .bind(BATCH)
        .fetch_all(pool)
        .await
}
