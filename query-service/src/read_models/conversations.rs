//! The inbox read model: team and my inbox, one conversation's summary, the dashboard.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_read_model::ConversationStatus;
use caselog_schemas::events::Channel;

use super::Viewer;

/// Which assignees an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssigneeFilter {
    Anyone,
    Nobody,
    User(Uuid),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InboxFilter {
    pub group_id: Option<Uuid>,
    pub status: Option<ConversationStatus>,
    pub channel: Option<Channel>,
    pub assignee: AssigneeFilter,
    pub unread: Option<bool>,
    pub unreplied: Option<bool>,
    pub text: Option<String>,
    /// Continue after this (last_activity_position, conversation_id).
    pub after: Option<(i64, Uuid)>,
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactRef {
    pub id: Uuid,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rating {
    pub score: i16,
    pub comment: Option<String>,
}

/// One conversation as the inbox and the detail route show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub contact: ContactRef,
    pub group_id: Option<Uuid>,
    pub channels: Vec<String>,
    pub status: ConversationStatus,
    pub assignees: Vec<Uuid>,
    /// null: everyone may see it.
    pub visible_to: Option<Vec<Uuid>>,
    pub last_activity_at: DateTime<Utc>,
    pub unreplied_count: i32,
    /// Whether there are customer messages after the viewer's read mark.
    pub unread: bool,
    pub topic: Option<String>,
    pub message_count: i32,
    pub started_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub first_response_seconds: Option<i64>,
    pub rating: Option<Rating>,
    #[serde(skip)]
    pub last_activity_position: i64,
    /// The newest customer message: unread for a viewer whose read mark is before it.
    #[serde(skip)]
    pub last_inbound_position: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    conversation_id: Uuid,
    contact_id: Uuid,
    contact_name: Option<String>,
    group_id: Option<Uuid>,
    channels: Vec<String>,
    status: ConversationStatus,
    assignees: Vec<Uuid>,
    visible_to: Option<Vec<Uuid>>,
    started_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    last_activity_at: DateTime<Utc>,
    last_activity_position: i64,
    last_inbound_position: i64,
    unreplied_count: i32,
    message_count: i32,
    topic: Option<String>,
    first_response_seconds: Option<i64>,
    rating: Option<i16>,
    rating_comment: Option<String>,
    unread: bool,
}

impl From<Row> for ConversationSummary {
    fn from(row: Row) -> Self {
        Self {
            id: row.conversation_id,
            contact: ContactRef {
                id: row.contact_id,
                name: row.contact_name,
            },
            group_id: row.group_id,
            channels: row.channels,
            status: row.status,
            assignees: row.assignees,
            visible_to: row.visible_to,
            last_activity_at: row.last_activity_at,
            unreplied_count: row.unreplied_count,
            unread: row.unread,
            topic: row.topic,
            message_count: row.message_count,
            started_at: row.started_at,
            closed_at: row.closed_at,
            first_response_seconds: row.first_response_seconds,
            rating: row.rating.map(|score| Rating {
                score,
                comment: row.rating_comment,
            }),
            last_activity_position: row.last_activity_position,
            last_inbound_position: row.last_inbound_position,
        }
    }
}

/// `%text%` for LIKE, with the pattern characters of the search itself escaped.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

async fn query(
    pool: &PgPool,
    viewer: &Viewer,
    filter: &InboxFilter,
) -> Result<Vec<ConversationSummary>, sqlx::Error> {
    let (assignee_mode, assignee) = match filter.assignee {
        AssigneeFilter::Anyone => (None, None),
        AssigneeFilter::Nobody => (Some("none"), None),
        AssigneeFilter::User(user) => (Some("user"), Some(user)),
    };
    let rows: Vec<Row> = sqlx::query_as(include_str!("sql/conversations.sql"))
        .bind(viewer.tenant_id.0)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .bind(filter.group_id)
        .bind(filter.status)
        .bind(filter.channel.map(Channel::as_str))
        .bind(assignee_mode)
        .bind(assignee)
        .bind(filter.unread)
        .bind(filter.unreplied)
        .bind(filter.text.as_deref().map(like_pattern))
        .bind(filter.after.map(|(position, _)| position))
        .bind(filter.after.map(|(_, id)| id))
        .bind(filter.limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(ConversationSummary::from).collect())
}

/// A page of the inbox.
pub async fn inbox(
    pool: &PgPool,
    viewer: &Viewer,
    filter: &InboxFilter,
) -> Result<Vec<ConversationSummary>, sqlx::Error> {
    query(pool, viewer, filter).await
}

/// One conversation, if it exists and the viewer may see it.
pub async fn conversation(
    pool: &PgPool,
    viewer: &Viewer,
    conversation_id: Uuid,
) -> Result<Option<ConversationSummary>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(include_str!("sql/conversation.sql"))
        .bind(viewer.tenant_id.0)
        .bind(conversation_id)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(ConversationSummary::from))
}

/// The user's read mark in a conversation (0: never read).
pub async fn read_position(
    pool: &PgPool,
    viewer: &Viewer,
    conversation_id: Uuid,
) -> Result<i64, sqlx::Error> {
    let position: Option<i64> = sqlx::query_scalar(
        "SELECT read_position FROM rm_inbox.reads \
         WHERE tenant_id = $1 AND conversation_id = $2 AND user_id = $3",
    )
    .bind(viewer.tenant_id.0)
    .bind(conversation_id)
    .bind(viewer.user_id.0)
    .fetch_optional(pool)
    .await?;
    Ok(position.unwrap_or(0))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MyCounters {
    /// Conversations assigned to me that are not closed.
    pub assigned: i64,
    /// Unreplied customer messages in them.
    pub unreplied: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroupCounters {
    pub unassigned: i64,
    pub unreplied: i64,
    pub open: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Dashboard {
    pub mine: MyCounters,
    pub group: GroupCounters,
}

pub async fn dashboard(
    pool: &PgPool,
    viewer: &Viewer,
    group_id: Option<Uuid>,
) -> Result<Dashboard, sqlx::Error> {
    let (mine_assigned, mine_unreplied, group_unassigned, group_unreplied, group_open): (
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(include_str!("sql/dashboard.sql"))
        .bind(viewer.tenant_id.0)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .bind(group_id)
        .fetch_one(pool)
        .await?;
    Ok(Dashboard {
        mine: MyCounters {
            assigned: mine_assigned,
            unreplied: mine_unreplied,
        },
        group: GroupCounters {
            unassigned: group_unassigned,
            unreplied: group_unreplied,
            open: group_open,
        },
    })
}
