//! My channels and DMs with unread counts, public channels I can join, one channel's
//! detail (my preferences and personal note only for me), and its members.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::{TenantId, UserId};

use super::VISIBLE;

/// One line of the channel list.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ChannelSummary {
    pub id: Uuid,
    /// `public`, `private`, `announcement` or `direct`.
    pub kind: String,
    /// For a DM: the other person's name (yours, for notes to self).
    pub name: String,
    pub description: Option<String>,
    pub avatar: Option<serde_json::Value>,
    /// For a DM: the other person (you, for notes to self).
    pub dm_with: Option<Uuid>,
    /// False for a public or announcement channel you may join.
    pub member: bool,
    /// Your role in it, when a member: `owner`, `admin` or `member`.
    pub role: Option<String>,
    pub level: String,
    pub muted: bool,
    /// Messages by others after your read mark.
    pub unread_count: i64,
    pub last_message_at: Option<DateTime<Utc>>,
}

/// My preferences in a channel; seen by me only.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MyMembership {
    pub role: String,
    pub level: String,
    pub muted: bool,
    pub personal_note: Option<String>,
    pub last_read_position: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelDetail {
    #[serde(flatten)]
    pub summary: ChannelSummary,
    pub owner: Option<Uuid>,
    /// Who may post (announcement channels).
    pub authors: Vec<Uuid>,
    pub member_count: i64,
    pub created_at: DateTime<Utc>,
    /// Whether you may post here now.
    pub can_post: bool,
    /// Your role, level, mute and personal note; null when you are not a member.
    pub me: Option<MyMembership>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Member {
    pub user_id: Uuid,
    pub name: Option<String>,
    pub role: String,
    /// May post in an announcement channel.
    pub author: bool,
    pub joined_at: DateTime<Utc>,
}

const SUMMARY: &str = "SELECT c.channel_id AS id, c.kind, \
    CASE WHEN c.kind = 'direct' THEN coalesce(( \
        SELECT u.name FROM rm_chat.members o JOIN rm_directory.users u \
          ON u.tenant_id = o.tenant_id AND u.user_id = o.user_id \
        WHERE o.tenant_id = c.tenant_id AND o.channel_id = c.channel_id \
        ORDER BY o.user_id = $2 LIMIT 1), '') ELSE c.name END AS name, \
    c.description, c.avatar, \
    CASE WHEN c.kind = 'direct' THEN ( \
        SELECT o.user_id FROM rm_chat.members o \
        WHERE o.tenant_id = c.tenant_id AND o.channel_id = c.channel_id \
        ORDER BY o.user_id = $2 LIMIT 1) END AS dm_with, \
    m.user_id IS NOT NULL AS member, m.role, coalesce(m.level, 'all') AS level, \
    coalesce(m.muted, false) AS muted, \
    CASE WHEN m.user_id IS NULL THEN 0 ELSE ( \
        SELECT count(*) FROM rm_chat.messages x \
        WHERE x.tenant_id = c.tenant_id AND x.channel_id = c.channel_id \
          AND x.position > m.last_read_position AND x.author <> $2 \
          AND x.deleted_at IS NULL) END AS unread_count, \
    c.last_message_at \
  FROM rm_chat.channels c \
  LEFT JOIN rm_chat.members m \
    ON m.tenant_id = c.tenant_id AND m.channel_id = c.channel_id AND m.user_id = $2 \
  WHERE c.tenant_id = $1";

/// My channels and DMs (most recent activity first), then the ones I may join.
pub async fn list(
    pool: &PgPool,
    tenant: TenantId,
    user_id: UserId,
    offset: i64,
    limit: i64,
) -> Result<Vec<ChannelSummary>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} AND (m.user_id IS NOT NULL OR c.kind IN ('public', 'announcement')) \
         ORDER BY m.user_id IS NOT NULL DESC, c.last_message_position DESC, c.name, c.channel_id \
         OFFSET $3 LIMIT $4"
    )))
    .bind(tenant.0)
    .bind(user_id.0)
    .bind(offset)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// One channel as `user_id` may see it; `None` when it does not exist for them.
pub async fn detail(
    pool: &PgPool,
    tenant: TenantId,
    user_id: UserId,
    channel_id: Uuid,
) -> Result<Option<ChannelDetail>, sqlx::Error> {
    let summary: Option<ChannelSummary> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUMMARY} AND c.channel_id = $3 AND {VISIBLE}"
    )))
    .bind(tenant.0)
    .bind(user_id.0)
    .bind(channel_id)
    .fetch_optional(pool)
    .await?;
    let Some(summary) = summary else {
        return Ok(None);
    };
    let (owner, authors, created_at, member_count): (Option<Uuid>, Vec<Uuid>, DateTime<Utc>, i64) =
        sqlx::query_as(
            "SELECT c.owner, c.authors, c.created_at, \
               (SELECT count(*) FROM rm_chat.members m \
                WHERE m.tenant_id = c.tenant_id AND m.channel_id = c.channel_id) \
             FROM rm_chat.channels c WHERE c.tenant_id = $1 AND c.channel_id = $2",
        )
        .bind(tenant.0)
        .bind(channel_id)
        .fetch_one(pool)
        .await?;
    let me: Option<MyMembership> = sqlx::query_as(
        "SELECT role, level, muted, personal_note, last_read_position FROM rm_chat.members \
         WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
    )
    .bind(tenant.0)
    .bind(channel_id)
    .bind(user_id.0)
    .fetch_optional(pool)
    .await?;
    let can_post = if summary.kind == "announcement" {
        authors.contains(&user_id.0)
    } else {
        me.is_some()
    };
    Ok(Some(ChannelDetail {
        summary,
        owner,
        authors,
        member_count,
        created_at,
        can_post,
        me,
    }))
}

/// The members of a channel the caller may see (checked by the caller), owner first.
pub async fn members(
    pool: &PgPool,
    tenant: TenantId,
    channel_id: Uuid,
    offset: i64,
    limit: i64,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(include_str!("sql/members.sql"))
        .bind(tenant.0)
        .bind(channel_id)
        .bind(offset)
        .bind(limit)
        .fetch_all(pool)
        .await
}
