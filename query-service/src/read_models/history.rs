//! The case-history timeline as projected. (The `as_of` replay reads the log instead,
//! see `audit::replay`, and yields the same entries.)

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_read_model::case_file::{CaseFile, TimelineEntry};
use caselog_schemas::{Position, TenantId};

use super::{Projection, Viewer};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct HistoryEntry {
    pub position: i64,
    pub stream_version: i64,
    pub at: DateTime<Utc>,
    /// `{user_id, role}`; `user_id` is null for the system.
    pub actor: serde_json::Value,
    /// The event type in snake case: `message_received`, `conversation_assigned`…
    pub kind: String,
    pub data: serde_json::Value,
    /// Who did it, named as the directory had them at this position.
    #[sqlx(default)]
    pub actor_name: String,
    /// What happened, in words.
    #[sqlx(default)]
    pub text: String,
}

impl From<TimelineEntry> for HistoryEntry {
    fn from(entry: TimelineEntry) -> Self {
        Self {
            position: entry.position,
            stream_version: entry.stream_version,
            at: entry.at,
            actor: entry.actor,
            kind: entry.kind,
            data: entry.data,
            actor_name: String::new(),
            text: String::new(),
        }
    }
}

impl From<&HistoryEntry> for TimelineEntry {
    fn from(entry: &HistoryEntry) -> Self {
        Self {
            position: entry.position,
            stream_version: entry.stream_version,
            at: entry.at,
            actor: entry.actor.clone(),
            kind: entry.kind.clone(),
            data: entry.data.clone(),
        }
    }
}

/// The case's contact, from the projected header.
pub async fn contact_of(
    pool: &PgPool,
    tenant: TenantId,
    conversation_id: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    let contact: Option<Option<String>> = sqlx::query_scalar(
        "SELECT header->>'contact_id' FROM rm_history.cases \
         WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(tenant.0)
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    Ok(contact.flatten().and_then(|id| Uuid::parse_str(&id).ok()))
}

/// Who may see a conversation, as one projection knows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Access {
    pub visible_to: Option<Vec<Uuid>>,
    pub deleted: bool,
}

impl Access {
    pub fn allows(&self, viewer: &Viewer) -> bool {
        !self.deleted && viewer.may_see(self.visible_to.as_deref())
    }
}

/// Who may see the conversation according to `projection` (the history and the
/// internal messages each keep their own `conversation_access`).
pub async fn access(
    pool: &PgPool,
    projection: Projection,
    tenant: TenantId,
    conversation_id: Uuid,
) -> Result<Option<Access>, sqlx::Error> {
    let schema = projection.schema();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT visible_to, deleted FROM {schema}.conversation_access \
         WHERE tenant_id = $1 AND conversation_id = $2"
    )))
    .bind(tenant.0)
    .bind(conversation_id)
    .fetch_optional(pool)
    .await
}

/// A page of the timeline after `after` (a position), oldest first.
pub async fn entries(
    pool: &PgPool,
    tenant: TenantId,
    conversation_id: Uuid,
    after: Position,
    limit: i64,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT position, stream_version, at, actor, kind, data FROM rm_history.entries \
         WHERE tenant_id = $1 AND conversation_id = $2 AND position > $3 \
         ORDER BY position LIMIT $4",
    )
    .bind(tenant.0)
    .bind(conversation_id)
    .bind(after.0)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The export-ready case file as projected: the header and the whole timeline.
pub async fn case_file(
    pool: &PgPool,
    tenant: TenantId,
    conversation_id: Uuid,
) -> Result<Option<CaseFile>, sqlx::Error> {
    let header: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT header FROM rm_history.cases WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(tenant.0)
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    let Some(header) = header else {
        return Ok(None);
    };
    let header =
        serde_json::from_value(header).map_err(|error| sqlx::Error::Decode(error.into()))?;
    let rows: Vec<HistoryEntry> = sqlx::query_as(
        "SELECT position, stream_version, at, actor, kind, data FROM rm_history.entries \
         WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY position",
    )
    .bind(tenant.0)
    .bind(conversation_id)
    .fetch_all(pool)
    .await?;
    let entries = rows
        .into_iter()
        .map(|row| TimelineEntry {
            position: row.position,
            stream_version: row.stream_version,
            at: row.at,
            actor: row.actor,
            kind: row.kind,
            data: row.data,
        })
        .collect();
    Ok(Some(CaseFile { header, entries }))
}
