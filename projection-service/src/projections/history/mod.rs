//! The case-history projection: one timeline entry per conversation event — messages,
//! notes, internal messages, assignments, visibility and status changes — and, per
//! case, the export-ready header (`cases`) a PDF prints above the timeline. Both come
//! from [`case_file`], which the auditors' `as_of` replay also folds the log with.
//!
//! A deleted case leaves this read model entirely; its sealed events stay in the log,
//! where an auditor's replay shows them with placeholders.

pub mod case_file;

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use super::{ApplyError, access, conversation_event};
use case_file::{CaseHeader, TimelineEntry};

pub use case_file::entry_kind;

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    let Some(conversation) = conversation_event(event)? else {
        return Ok(());
    };
    access::apply(conn, event, &conversation).await?;
    let tenant_id = event.tenant_id.0;
    let conversation_id = event.stream_id.0;
    if matches!(conversation, E::ConversationDeleted {}) {
        for table in ["entries", "cases"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND conversation_id = $2"
            )))
            .bind(tenant_id)
            .bind(conversation_id)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(());
    }
    let entry = TimelineEntry::of(event);
    sqlx::query(
        "INSERT INTO entries (tenant_id, conversation_id, position, stream_version, at, actor, kind, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(conversation_id)
    .bind(entry.position)
    .bind(entry.stream_version)
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.kind)
    .bind(&entry.data)
    .execute(&mut *conn)
    .await?;

    let stored: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT header FROM cases WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(tenant_id)
    .bind(conversation_id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut header: CaseHeader = match stored {
        Some(header) => serde_json::from_value(header)?,
        None => CaseHeader::default(),
    };
    header.apply(event, &conversation);
    sqlx::query(
        "INSERT INTO cases (tenant_id, conversation_id, stream_version, header) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id, conversation_id) \
         DO UPDATE SET stream_version = EXCLUDED.stream_version, header = EXCLUDED.header",
    )
    .bind(tenant_id)
    .bind(conversation_id)
    .bind(header.stream_version)
    .bind(serde_json::to_value(&header)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
