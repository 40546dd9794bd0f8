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
    /// Any of these statuses.
    pub status: Option<Vec<ConversationStatus>>,
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
    /// Internal messages to me in this conversation that I have not read.
    pub unread_internal: i64,
    /// Whether the channel's chatbot answers it (a person replies once it is disabled).
    pub bot_active: bool,
    /// A returning contact's previous conversation, and the agent who last handled it
    /// there (told first, in their bell).
    pub previous_conversation_id: Option<Uuid>,
    pub previous_agent: Option<Uuid>,
    /// Since when the customer has waited for a human reply (null: answered).
    pub waiting_since: Option<DateTime<Utc>>,
    /// Who accepted the conversation.
    pub accepted_by: Vec<Uuid>,
    /// Assignees who have not accepted it yet (pending, when the tenant requires
    /// acceptance).
    pub awaiting_acceptance: Vec<Uuid>,
    #[serde(skip)]
    pub last_activity_position: i64,
    /// The newest customer message: unread for a viewer whose read mark is before it.
    #[serde(skip)]
    pub last_inbound_position: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
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
    accepted_by: Vec<Uuid>,
    waiting_since: Option<DateTime<Utc>>,
    unread_internal: i64,
    bot_active: bool,
    previous_conversation_id: Option<Uuid>,
    previous_agent: Option<Uuid>,
    unread: bool,
}

impl From<Row> for ConversationSummary {
    fn from(row: Row) -> Self {
        let awaiting_acceptance = row
            .assignees
            .iter()
            .filter(|user| !row.accepted_by.contains(user))
            .copied()
            .collect();
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
            awaiting_acceptance,
            accepted_by: row.accepted_by,
            waiting_since: row.waiting_since,
            unread_internal: row.unread_internal,
            bot_active: row.bot_active,
            previous_conversation_id: row.previous_conversation_id,
            previous_agent: row.previous_agent,
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
    let rows: Vec<Row> = sqlx::query_as(concat!(
        include_str!("sql/conversations.sql"),
        include_str!("sql/summary_columns.sql"),
        include_str!("sql/conversations_rows.sql")
    ))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(viewer.sees_all)
    .bind(filter.group_id)
    .bind(filter.status.as_ref().map(|statuses| {
        statuses
            .iter()
            .map(|status| status.as_str())
            .collect::<Vec<_>>()
    }))
    .bind(filter.channel.map(Channel::as_str))
    .bind(assignee_mode)
    .bind(assignee)
    .bind(filter.unread)
    .bind(filter.unreplied)
    .bind(filter.text.as_deref().map(like_pattern))
    .bind(filter.after.map(|(position, _)| position))
    .bind(filter.after.map(|(_, id)| id))
    .bind(filter.limit)
    .bind(viewer.all_groups)
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
    let row: Option<Row> = sqlx::query_as(concat!(
        include_str!("sql/summary_columns.sql"),
        include_str!("sql/conversation.sql")
    ))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(viewer.sees_all)
    .bind(conversation_id)
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
    /// Conversations assigned to me that are not closed
    /// (`/v1/inbox/mine?status=open,resolved`).
    pub assigned: i64,
    /// Unreplied customer messages in them (the `unreplied_count`s of
    /// `/v1/inbox/mine?status=open,resolved&unreplied=true`).
    pub unreplied: i64,
    /// How many of them have unreplied messages (that list's length).
    pub unreplied_conversations: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroupCounters {
    /// Open conversations nobody is assigned
    /// (`/v1/inbox/team?status=open&assignee=none`).
    pub unassigned: i64,
    /// Unreplied customer messages in conversations that are not closed (the
    /// `unreplied_count`s of `/v1/inbox/team?status=open,resolved&unreplied=true`).
    pub unreplied: i64,
    /// How many conversations hold them (that list's length).
    pub unreplied_conversations: i64,
    /// Open conversations (`/v1/inbox/team?status=open`).
    pub open: i64,
}

/// One group's counters; `group_id` null for the conversations of no group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroupTile {
    pub group_id: Option<Uuid>,
    #[serde(flatten)]
    pub counters: GroupCounters,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Dashboard {
    pub mine: MyCounters,
    /// The group asked for, or every group in my scope together.
    pub group: GroupCounters,
    /// Each group in my scope (the one asked for, or my groups; every group for
    /// owners, admins and auditors), by group id, the ungrouped last.
    pub groups: Vec<GroupTile>,
}

#[derive(sqlx::FromRow)]
struct DashboardRow {
    group_id: Option<Uuid>,
    mine_assigned: i64,
    mine_unreplied: i64,
    mine_unreplied_conversations: i64,
    unassigned: i64,
    unreplied: i64,
    unreplied_conversations: i64,
    open: i64,
}

/// The viewer's counters and their groups' (`group_id`: one group only).
pub async fn dashboard(
    pool: &PgPool,
    viewer: &Viewer,
    group_id: Option<Uuid>,
) -> Result<Dashboard, sqlx::Error> {
    let mut rows: Vec<DashboardRow> = sqlx::query_as(include_str!("sql/dashboard.sql"))
        .bind(viewer.tenant_id.0)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .bind(group_id)
        .bind(viewer.all_groups)
        .fetch_all(pool)
        .await?;
    rows.sort_by_key(|row| (row.group_id.is_none(), row.group_id));
    let mut mine = MyCounters {
        assigned: 0,
        unreplied: 0,
        unreplied_conversations: 0,
    };
    let mut group = GroupCounters::default();
    let mut groups = Vec::new();
    for row in rows {
        mine.assigned += row.mine_assigned;
        mine.unreplied += row.mine_unreplied;
        mine.unreplied_conversations += row.mine_unreplied_conversations;
        let counters = GroupCounters {
            unassigned: row.unassigned,
            unreplied: row.unreplied,
            unreplied_conversations: row.unreplied_conversations,
            open: row.open,
        };
        group.unassigned += counters.unassigned;
        group.unreplied += counters.unreplied;
        group.unreplied_conversations += counters.unreplied_conversations;
        group.open += counters.open;
        if counters != GroupCounters::default() {
            groups.push(GroupTile {
                group_id: row.group_id,
                counters,
            });
        }
    }
    Ok(Dashboard {
        mine,
        group,
        groups,
    })
}

/// The groups `viewer` belongs to, as the inbox knows them.
pub async fn groups_of(pool: &PgPool, viewer: &Viewer) -> Result<Vec<Uuid>, sqlx::Error> {
    let groups: Option<Vec<Uuid>> = sqlx::query_scalar(
        "SELECT groups FROM rm_inbox.user_groups WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .fetch_optional(pool)
    .await?;
    Ok(groups.unwrap_or_default())
}
