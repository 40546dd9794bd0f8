//! The inbox read model: one row per conversation with what the team and my inbox,
//! the dashboard and the conversation summary show — channels, status, assignees,
//! visibility, last activity, unreplied count, first response, duration, rating,
//! topic, searchable text — plus each user's read mark and the contacts' names.
//!
//! Unreplied: inbound messages since the last human reply; bot and auto-reply
//! messages and a hand-off do not answer the customer, so they leave it as it is.

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::{
    ConversationEvent as E, DirectoryEvent, MessageContent, from_stored,
};

use super::access::user_ids;
use super::{ApplyError, conversation_event};

/// Enough text to search a conversation by without growing rows without bound.
const SEARCH_TEXT_LIMIT: i32 = 16 * 1024;

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    if event.stream_type.as_str() == "directory" && event.event_type == "ContactUpserted" {
        if let DirectoryEvent::ContactUpserted { name, .. } =
            from_stored(&event.event_type, &event.payload)?
        {
            sqlx::query(
                "INSERT INTO contacts (tenant_id, contact_id, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id, contact_id) DO UPDATE SET name = EXCLUDED.name",
            )
            .bind(event.tenant_id.0)
            .bind(event.stream_id.0)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        }
        return Ok(());
    }
    let Some(conversation) = conversation_event(event)? else {
        return Ok(());
    };
    let tenant_id = event.tenant_id.0;
    let conversation_id = event.stream_id.0;
    let at = event.recorded_at;
    let position = event.position.0;
    match conversation {
        E::ConversationStarted {
            contact_id,
            group_id,
            channel,
            assignees,
            visible_to,
            ..
        } => {
            sqlx::query(
                "INSERT INTO conversations (tenant_id, conversation_id, contact_id, group_id, \
                   channels, status, assignees, visible_to, started_at, last_activity_at, \
                   last_activity_position) \
                 VALUES ($1, $2, $3, $4, ARRAY[$5], 'open', $6, $7, $8, $8, $9) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(contact_id)
            .bind(group_id)
            .bind(channel_name(&serde_json::to_value(channel)?))
            .bind(assignees.iter().map(|user| user.0).collect::<Vec<_>>())
            .bind(user_ids(&visible_to))
            .bind(at)
            .bind(position)
            .execute(&mut *conn)
            .await?;
        }
        E::MessageReceived {
            channel, content, ..
        } => {
            sqlx::query(
                "UPDATE conversations SET \
                   channels = CASE WHEN $3 = ANY(channels) THEN channels ELSE channels || $3 END, \
                   unreplied_count = unreplied_count + 1, \
                   message_count = message_count + 1, \
                   first_inbound_at = coalesce(first_inbound_at, $4), \
                   last_inbound_position = $5, \
                   last_activity_at = $4, last_activity_position = $5, \
                   search_text = left(search_text || ' ' || lower($6), $7) \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(channel_name(&serde_json::to_value(channel)?))
            .bind(at)
            .bind(position)
            .bind(searchable(&content))
            .bind(SEARCH_TEXT_LIMIT)
            .execute(&mut *conn)
            .await?;
        }
        E::MessageSent {
            channel,
            sender_kind,
            author,
            content,
            ..
        } => {
            let human = sender_kind.is_human();
            sqlx::query(
                "UPDATE conversations SET \
                   channels = CASE WHEN $3 = ANY(channels) THEN channels ELSE channels || $3 END, \
                   unreplied_count = CASE WHEN $6 THEN 0 ELSE unreplied_count END, \
                   first_response_seconds = CASE \
                     WHEN $6 AND first_response_seconds IS NULL AND first_inbound_at IS NOT NULL \
                     THEN greatest(0, extract(epoch FROM $4 - first_inbound_at))::bigint \
                     ELSE first_response_seconds END, \
                   message_count = message_count + 1, \
                   last_activity_at = $4, last_activity_position = $5, \
                   search_text = left(search_text || ' ' || lower($7), $8) \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(channel_name(&serde_json::to_value(channel)?))
            .bind(at)
            .bind(position)
            .bind(human)
            .bind(searchable(&content))
            .bind(SEARCH_TEXT_LIMIT)
            .execute(&mut *conn)
            .await?;
            // Whoever writes a reply has read what came before it.
            if let Some(author) = author {
                mark_read(conn, event, author.0).await?;
            }
        }
        E::HandedOffToHuman { .. } | E::PrivateNoteAdded { .. } | E::InternalMessageSent { .. } => {
            touch(conn, event).await?;
        }
        E::ConversationAssigned { assignees, .. } => {
            sqlx::query(
                "UPDATE conversations SET assignees = $3 \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(assignees.iter().map(|user| user.0).collect::<Vec<_>>())
            .execute(&mut *conn)
            .await?;
        }
        E::ConversationRejected { user } | E::ConversationLeft { user } => {
            sqlx::query(
                "UPDATE conversations SET assignees = array_remove(assignees, $3) \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(user.0)
            .execute(&mut *conn)
            .await?;
        }
        E::VisibilityChanged { visible_to } => {
            sqlx::query(
                "UPDATE conversations SET visible_to = $3 \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(user_ids(&visible_to))
            .execute(&mut *conn)
            .await?;
        }
        E::ConversationRead { user, .. } => mark_read(conn, event, user.0).await?,
        E::ConversationResolved {} => set_status(conn, event, "resolved").await?,
        E::ConversationReopened {} => set_status(conn, event, "open").await?,
        E::ConversationClosed { .. } => set_status(conn, event, "closed").await?,
        E::ConversationDeleted {} => {
            for table in ["conversations", "reads"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE tenant_id = $1 AND conversation_id = $2"
                )))
                .bind(tenant_id)
                .bind(conversation_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        E::ConversationRated { score, comment } => {
            sqlx::query(
                "UPDATE conversations SET rating = $3, rating_comment = $4 \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(i16::from(score))
            .bind(comment)
            .execute(&mut *conn)
            .await?;
        }
        E::TopicSet { topic } => {
            sqlx::query(
                "UPDATE conversations SET topic = $3 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant_id)
            .bind(conversation_id)
            .bind(topic)
            .execute(&mut *conn)
            .await?;
        }
        E::InternalMessageRead { .. }
        | E::ConversationAccepted { .. }
        | E::InvoiceAttached { .. }
        | E::InvoicePaid { .. } => {}
    }
    Ok(())
}

fn channel_name(value: &serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn searchable(content: &MessageContent) -> String {
    let mut text = content.text.clone().unwrap_or_default();
    for attachment in &content.attachments {
        text.push(' ');
        text.push_str(&attachment.name);
    }
    text
}

async fn touch(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    sqlx::query(
        "UPDATE conversations SET last_activity_at = $3, last_activity_position = $4 \
         WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(event.recorded_at)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn set_status(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    status: &str,
) -> Result<(), ApplyError> {
    sqlx::query(
        "UPDATE conversations SET status = $3, \
           closed_at = CASE WHEN $3 = 'closed' THEN $4 ELSE NULL END \
         WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(status)
    .bind(event.recorded_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn mark_read(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    user: uuid::Uuid,
) -> Result<(), ApplyError> {
    sqlx::query(
        "INSERT INTO reads (tenant_id, conversation_id, user_id, read_position) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tenant_id, conversation_id, user_id) \
         DO UPDATE SET read_position = greatest(reads.read_position, EXCLUDED.read_position)",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(user)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
