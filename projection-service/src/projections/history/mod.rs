//! The case-history projection: one timeline entry per conversation event — messages,
//! notes, internal messages, assignments, visibility and status changes — and, per
//! case, the export-ready header (`cases`) a PDF prints above the timeline. Both come
//! from `caselog_read_model::case_file`, which the auditors' `as_of` replay also folds the log with.
//!
//! A deleted case leaves this read model entirely; its sealed events stay in the log,
//! where an auditor's replay shows them with placeholders.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::ConversationEvent as E;

use super::{ApplyError, access, conversation_event};
use caselog_read_model::case_file::{CaseHeader, TimelineEntry};

pub use caselog_read_model::case_file::entry_kind;

/// Applies a batch with one statement for all its timeline entries and one for all its
/// case headers (each header read once, folded over the batch's events in memory):
/// what a rebuild or a busy moment costs per batch instead of three statements per
/// event. A batch that deletes a case goes event by event.
pub async fn apply_batch(
    conn: &mut PgConnection,
    events: &[EventEnvelope],
) -> Result<(), ApplyError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        if let Some(conversation) = conversation_event(event)? {
            if matches!(conversation, E::ConversationDeleted {}) {
                for event in events {
                    apply(conn, event).await?;
                }
                return Ok(());
            }
            decoded.push((event, conversation));
        }
    }
    if decoded.is_empty() {
        return Ok(());
    }
    for (event, conversation) in &decoded {
        access::apply(conn, event, conversation).await?;
    }
    insert_entries(conn, &decoded).await?;

    let mut cases: HashMap<(Uuid, Uuid), CaseHeader> = HashMap::new();
    for (event, _) in &decoded {
        cases
            .entry((event.tenant_id.0, event.stream_id.0))
            .or_default();
    }
    let (tenants, conversations): (Vec<Uuid>, Vec<Uuid>) = cases.keys().copied().unzip();
    let stored: Vec<(Uuid, Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT c.tenant_id, c.conversation_id, c.header FROM cases c \
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, conversation_id) \
           ON c.tenant_id = k.tenant_id AND c.conversation_id = k.conversation_id",
    )
    .bind(&tenants)
    .bind(&conversations)
    .fetch_all(&mut *conn)
    .await?;
    for (tenant_id, conversation_id, header) in stored {
        cases.insert(
            (tenant_id, conversation_id),
            serde_json::from_value(header)?,
        );
    }
    for (event, conversation) in &decoded {
        if let Some(header) = cases.get_mut(&(event.tenant_id.0, event.stream_id.0)) {
            header.apply(event, conversation);
        }
    }
    let mut versions = Vec::with_capacity(cases.len());
    let mut headers = Vec::with_capacity(cases.len());
    let (mut tenants, mut conversations) = (Vec::new(), Vec::new());
    for ((tenant_id, conversation_id), header) in cases {
        tenants.push(tenant_id);
        conversations.push(conversation_id);
        versions.push(header.stream_version);
        headers.push(serde_json::to_value(&header)?);
    }
    sqlx::query(
        "INSERT INTO cases (tenant_id, conversation_id, stream_version, header) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[]) \
         ON CONFLICT (tenant_id, conversation_id) \
         DO UPDATE SET stream_version = EXCLUDED.stream_version, header = EXCLUDED.header",
    )
    .bind(&tenants)
    .bind(&conversations)
    .bind(&versions)
    .bind(&headers)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_entries(
    conn: &mut PgConnection,
    decoded: &[(&EventEnvelope, E)],
) -> Result<(), ApplyError> {
    let entries: Vec<TimelineEntry> = decoded
        .iter()
        .map(|(event, _)| TimelineEntry::of(event))
        .collect();
    sqlx::query(
        "INSERT INTO entries (tenant_id, conversation_id, position, stream_version, at, actor, kind, data) \
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], \
                              $5::timestamptz[], $6::jsonb[], $7::text[], $8::jsonb[]) \
         ON CONFLICT DO NOTHING",
    )
    .bind(decoded.iter().map(|(e, _)| e.tenant_id.0).collect::<Vec<_>>())
    .bind(decoded.iter().map(|(e, _)| e.stream_id.0).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.position).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.stream_version).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.at).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.actor.clone()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.kind.clone()).collect::<Vec<_>>())
    .bind(entries.into_iter().map(|e| e.data).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

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
