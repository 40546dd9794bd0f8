//! Channel events into channels, members, messages, reactions and cards.

use sqlx::PgConnection;
use uuid::Uuid;

use caselog_schemas::events::{ChannelRole, ChatChannelEvent as E};
use caselog_schemas::{EventEnvelope, UserId};

use super::ApplyError;
use super::notify::{self, Posted};

mod edits;
mod membership;
mod posts;
mod setup;

pub async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    channel_event: &E,
) -> Result<(), ApplyError> {
    match channel_event {
        E::ChannelCreated { .. } | E::DirectMessageOpened { .. } | E::ChannelUpdated { .. } => {
            setup::apply(conn, event, channel_event).await?;
        }
        E::MemberJoined { .. }
        | E::MemberAdded { .. }
        | E::MemberRemoved { .. }
        | E::MemberRoleChanged { .. }
        | E::AnnouncementAuthorsSet { .. }
        | E::MemberPreferencesSet { .. } => membership::apply(conn, event, channel_event).await?,
        E::MessagePosted { .. } | E::CardShared { .. } => {
            posts::apply(conn, event, channel_event).await?;
        }
        E::MessageDeleted { .. } | E::ReactionAdded { .. } | E::ReactionRemoved { .. } => {
            edits::apply(conn, event, channel_event).await?;
        }
    }
    Ok(())
}

async fn add_member(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    user: UserId,
    role: ChannelRole,
) -> Result<(), ApplyError> {
    sqlx::query(
        "INSERT INTO members (tenant_id, channel_id, user_id, role, joined_at, last_read_position) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(user.0)
    .bind(role.as_str())
    .bind(event.recorded_at)
    // What came before joining is not "unread".
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_message(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    posted: &Posted<'_>,
    content: serde_json::Value,
    card_id: Option<Uuid>,
) -> Result<(), ApplyError> {
    sqlx::query(
        "INSERT INTO messages (tenant_id, channel_id, message_id, author, content, mentions, \
           card_id, posted_at, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT DO NOTHING",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(posted.message_id)
    .bind(posted.author.0)
    .bind(content)
    .bind(ids(posted.mentions))
    .bind(card_id)
    .bind(posted.at)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE channels SET last_message_at = $3, last_message_position = $4 \
         WHERE tenant_id = $1 AND channel_id = $2",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(posted.at)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    // The author has read what they wrote.
    sqlx::query(
        "UPDATE members SET last_read_position = $4 \
         WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
    )
    .bind(event.tenant_id.0)
    .bind(event.stream_id.0)
    .bind(posted.author.0)
    .bind(event.position.0)
    .execute(&mut *conn)
    .await?;
    notify::notify(conn, event, posted).await
}

fn ids(users: &[UserId]) -> Vec<Uuid> {
    users.iter().map(|user| user.0).collect()
}
