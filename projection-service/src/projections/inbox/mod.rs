//! The inbox read model: one row per conversation with what the team and my inbox,
//! the dashboard and the conversation summary show — channels, status, assignees,
//! visibility, last activity, unreplied count, first response, duration, rating,
//! topic, searchable text, who accepted it — plus each user's read mark and groups
//! and the contacts' names.
//!
//! Built a batch at a time: [`store::load`] reads the rows the batch names,
//! [`fold`] applies every event to them in memory, [`store::write`] writes each
//! changed row once. One event is a batch of one.

mod fold;
mod store;

use std::collections::HashSet;

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::{DirectoryEvent, from_stored};

use super::{ApplyError, conversation_event};
use fold::InboxChanges;

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    apply_batch(conn, std::slice::from_ref(event)).await
}

pub async fn apply_batch(
    conn: &mut PgConnection,
    events: &[EventEnvelope],
) -> Result<(), ApplyError> {
    let mut conversations = Vec::new();
    let mut contacts = Vec::new();
    let mut user_groups = Vec::new();
    for event in events {
        let (tenant, id) = (event.tenant_id.0, event.stream_id.0);
        if event.stream_type.as_str() == "directory" {
            match event.event_type.as_str() {
                "ContactUpserted" | "ContactErased" | "UserUpserted" | "UserErased" => {}
                _ => continue,
            }
            match from_stored(&event.event_type, &event.payload)? {
                DirectoryEvent::ContactUpserted { name, .. } => contacts.push((tenant, id, name)),
                DirectoryEvent::ContactErased {} => {
                    let erased = caselog_schemas::events::personal::ERASED.to_owned();
                    contacts.push((tenant, id, erased));
                }
                DirectoryEvent::UserUpserted { groups, .. } => {
                    user_groups.push((tenant, id, groups));
                }
                DirectoryEvent::UserErased {} => user_groups.push((tenant, id, Vec::new())),
                _ => {}
            }
        } else if let Some(conversation) = conversation_event(event)? {
            conversations.push((event, conversation));
        }
    }
    if conversations.is_empty() && contacts.is_empty() && user_groups.is_empty() {
        return Ok(());
    }
    let keys: Vec<_> = conversations
        .iter()
        .map(|(event, _)| (event.tenant_id.0, event.stream_id.0))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let stored = if keys.is_empty() {
        Vec::new()
    } else {
        store::load(conn, &keys).await?
    };
    let mut changes = InboxChanges::new(keys, stored);
    for (tenant_id, contact_id, name) in contacts {
        changes.contact_named(tenant_id, contact_id, name);
    }
    for (tenant_id, user_id, groups) in user_groups {
        changes.user_in_groups(tenant_id, user_id, groups);
    }
    for (event, conversation) in &conversations {
        changes.conversation(event, conversation);
    }
    store::write(conn, &changes).await?;
    Ok(())
}
