//! The bell: my notifications (mentions, DMs, announcements) that my level, mute and
//! preferences let through to it, newest first. A notification from a channel I can no
//! longer see (removed from a private channel) is not shown.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::cards::{self, Card};
use crate::read_models::Viewer;

const EXCERPT_CHARS: usize = 140;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    /// The message's id (a returning contact's: the new conversation's): mark it read
    /// with `POST /v1/chat/notifications/read`.
    pub id: Uuid,
    /// `mention`, `dm`, `announcement`, or `returning_contact` (a contact you handled
    /// came back: `conversation_id` is their new conversation).
    pub kind: String,
    /// The channel of a chat notification; null for a returning contact.
    pub channel_id: Option<Uuid>,
    pub channel_kind: Option<String>,
    pub channel_name: Option<String>,
    /// Who wrote the message; null for a returning contact.
    pub author: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    /// The start of the message's text.
    pub excerpt: Option<String>,
    pub card: Option<Card>,
    /// Also queued for email (per your preferences).
    pub email: bool,
    pub at: DateTime<Utc>,
    pub position: i64,
    pub read: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    message_id: Uuid,
    kind: String,
    channel_id: Option<Uuid>,
    channel_kind: Option<String>,
    channel_name: Option<String>,
    author: Option<Uuid>,
    conversation_id: Option<Uuid>,
    text: Option<String>,
    card_id: Option<Uuid>,
    email: bool,
    at: DateTime<Utc>,
    position: i64,
    read_at: Option<DateTime<Utc>>,
}

pub async fn page(
    pool: &PgPool,
    viewer: &Viewer,
    only_unread: bool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Notification>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT n.message_id, n.kind, n.channel_id, c.kind AS channel_kind, c.name AS channel_name, \
                x.author, x.content->>'text' AS text, x.card_id, n.conversation_id, n.email, n.at, \
                n.position, n.read_at \
         FROM rm_chat.notifications n \
         LEFT JOIN rm_chat.channels c ON c.tenant_id = n.tenant_id AND c.channel_id = n.channel_id \
         LEFT JOIN rm_chat.messages x ON x.tenant_id = n.tenant_id AND x.message_id = n.message_id \
         WHERE n.tenant_id = $1 AND n.user_id = $2 AND n.bell \
           AND (n.channel_id IS NULL OR {}) \
           AND (NOT $3 OR n.read_at IS NULL) AND ($4::bigint IS NULL OR n.position < $4) \
         ORDER BY n.position DESC LIMIT $5",
        super::VISIBLE
    )))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(only_unread)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let card_ids: Vec<Uuid> = rows.iter().filter_map(|row| row.card_id).collect();
    let mut cards = cards::resolve(pool, viewer, &card_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| Notification {
            id: row.message_id,
            kind: row.kind,
            channel_id: row.channel_id,
            channel_kind: row.channel_kind,
            channel_name: row.channel_name,
            author: row.author,
            conversation_id: row.conversation_id,
            excerpt: row
                .text
                .map(|text| text.chars().take(EXCERPT_CHARS).collect()),
            card: row.card_id.and_then(|id| cards.remove(&id)),
            email: row.email,
            at: row.at,
            position: row.position,
            read: row.read_at.is_some(),
        })
        .collect())
}

/// My notification preferences: per kind, bell and email.
pub async fn preferences(
    pool: &PgPool,
    viewer: &Viewer,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT preferences FROM rm_chat.notification_preferences \
         WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .fetch_optional(pool)
    .await
}
