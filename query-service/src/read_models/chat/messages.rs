//! A channel's messages, newest first, with their reactions and cards.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::cards::{self, Card};
use crate::read_models::Viewer;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reaction {
    pub emoji: String,
    pub count: usize,
    pub users: Vec<Uuid>,
    /// Whether you reacted with it.
    pub mine: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessage {
    pub id: Uuid,
    pub author: Uuid,
    /// `{text?, attachments?, voice?}`; null once deleted.
    pub content: Option<serde_json::Value>,
    pub mentions: Vec<Uuid>,
    /// The shared item, as you may see it.
    pub card: Option<Card>,
    pub reactions: Vec<Reaction>,
    pub posted_at: DateTime<Utc>,
    pub position: i64,
    pub deleted: bool,
    /// Who deleted it (an account owner or admin), and when.
    pub deleted_by: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    message_id: Uuid,
    author: Uuid,
    content: Option<serde_json::Value>,
    mentions: Vec<Uuid>,
    card_id: Option<Uuid>,
    posted_at: DateTime<Utc>,
    position: i64,
    deleted_at: Option<DateTime<Utc>>,
    deleted_by: Option<Uuid>,
}

/// Messages of a channel the viewer may see (checked by the caller) before `before`.
pub async fn page(
    pool: &PgPool,
    viewer: &Viewer,
    channel_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ChatMessage>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT message_id, author, content, mentions, card_id, posted_at, position, deleted_at, \
                deleted_by \
         FROM rm_chat.messages WHERE tenant_id = $1 AND channel_id = $2 \
           AND ($3::bigint IS NULL OR position < $3) \
         ORDER BY position DESC LIMIT $4",
    )
    .bind(viewer.tenant_id.0)
    .bind(channel_id)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.message_id).collect();
    let reacted: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
        "SELECT message_id, emoji, user_id FROM rm_chat.reactions \
         WHERE tenant_id = $1 AND message_id = ANY($2) ORDER BY position",
    )
    .bind(viewer.tenant_id.0)
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let mut reactions: HashMap<Uuid, Vec<Reaction>> = HashMap::new();
    for (message_id, emoji, user_id) in reacted {
        let list = reactions.entry(message_id).or_default();
        match list.iter_mut().find(|reaction| reaction.emoji == emoji) {
            Some(reaction) => reaction.users.push(user_id),
            None => list.push(Reaction {
                emoji,
                count: 0,
                users: vec![user_id],
                mine: false,
            }),
        }
    }
    let card_ids: Vec<Uuid> = rows.iter().filter_map(|row| row.card_id).collect();
    let mut cards = cards::resolve(pool, viewer, &card_ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut reactions = reactions.remove(&row.message_id).unwrap_or_default();
            for reaction in &mut reactions {
                reaction.count = reaction.users.len();
                reaction.mine = reaction.users.contains(&viewer.user_id.0);
            }
            ChatMessage {
                id: row.message_id,
                author: row.author,
                content: row.content,
                mentions: row.mentions,
                card: row.card_id.and_then(|id| cards.remove(&id)),
                reactions,
                posted_at: row.posted_at,
                position: row.position,
                deleted: row.deleted_at.is_some(),
                deleted_by: row.deleted_by,
                deleted_at: row.deleted_at,
            }
        })
        .collect())
}
