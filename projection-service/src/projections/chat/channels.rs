//! Channel events into channels, members, messages, reactions and cards.

use sqlx::PgConnection;
use uuid::Uuid;

use caselog_schemas::events::{ChannelRole, ChatChannelEvent as E};
use caselog_schemas::{EventEnvelope, UserId};

use super::ApplyError;
use super::notify::{self, Posted};

pub async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    channel_event: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let channel_id = event.stream_id.0;
    let at = event.recorded_at;
    match channel_event {
        E::ChannelCreated {
            kind,
            name,
            description,
            avatar,
            owner,
            members,
            authors,
        } => {
            sqlx::query(
                "INSERT INTO channels (tenant_id, channel_id, kind, name, description, avatar, \
                   owner, authors, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(kind.as_str())
            .bind(name)
            .bind(description)
            .bind(avatar.as_ref().map(serde_json::to_value).transpose()?)
            .bind(owner.0)
            .bind(ids(authors))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            add_member(conn, event, *owner, ChannelRole::Owner).await?;
            for member in members {
                add_member(conn, event, *member, ChannelRole::Member).await?;
            }
        }
        E::DirectMessageOpened { members } => {
            sqlx::query(
                "INSERT INTO channels (tenant_id, channel_id, kind, name, created_at) \
                 VALUES ($1, $2, 'direct', '', $3) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            for member in members {
                add_member(conn, event, *member, ChannelRole::Member).await?;
            }
        }
        E::ChannelUpdated {
            name,
            description,
            avatar,
        } => {
            sqlx::query(
                "UPDATE channels SET name = $3, description = $4, avatar = $5 \
                 WHERE tenant_id = $1 AND channel_id = $2",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(name)
            .bind(description)
            .bind(avatar.as_ref().map(serde_json::to_value).transpose()?)
            .execute(&mut *conn)
            .await?;
        }
        E::MemberJoined { user_id } | E::MemberAdded { user_id, .. } => {
            add_member(conn, event, *user_id, ChannelRole::Member).await?;
        }
        E::MemberRemoved { user_id, .. } => {
            sqlx::query(
                "DELETE FROM members WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(user_id.0)
            .execute(&mut *conn)
            .await?;
        }
        E::MemberRoleChanged { user_id, role } => {
            sqlx::query(
                "UPDATE members SET role = $4 \
                 WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(user_id.0)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
        }
        E::AnnouncementAuthorsSet { authors } => {
            sqlx::query(
                "UPDATE channels SET authors = $3 WHERE tenant_id = $1 AND channel_id = $2",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(ids(authors))
            .execute(&mut *conn)
            .await?;
        }
        E::MemberPreferencesSet {
            user_id,
            level,
            muted,
            personal_note,
        } => {
            sqlx::query(
                "UPDATE members SET level = $4, muted = $5, personal_note = $6 \
                 WHERE tenant_id = $1 AND channel_id = $2 AND user_id = $3",
            )
            .bind(tenant_id)
            .bind(channel_id)
            .bind(user_id.0)
            .bind(
                serde_json::to_value(level)?
                    .as_str()
                    .unwrap_or("all")
                    .to_owned(),
            )
            .bind(muted)
            .bind(personal_note)
            .execute(&mut *conn)
            .await?;
        }
        E::MessagePosted {
            message_id,
            author,
            content,
            mentions,
            posted_at,
        } => {
            insert_message(
                conn,
                event,
                &Posted {
                    message_id: *message_id,
                    author: *author,
                    mentions,
                    at: *posted_at,
                },
                serde_json::to_value(content)?,
                None,
            )
            .await?;
        }
        E::CardShared {
            card_id,
            author,
            entity_type,
            entity_id,
            description,
            text,
            mentions,
            shared_at,
        } => {
            sqlx::query(
                "INSERT INTO cards (tenant_id, card_id, channel_id, entity_type, entity_id, \
                   title, summary, url, shared_by, shared_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(card_id)
            .bind(channel_id)
            .bind(
                serde_json::to_value(entity_type)?
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
            .bind(entity_id)
            .bind(description.as_ref().map(|d| d.title.clone()))
            .bind(description.as_ref().and_then(|d| d.summary.clone()))
            .bind(description.as_ref().map(|d| d.url.clone()))
            .bind(author.0)
            .bind(shared_at)
            .execute(&mut *conn)
            .await?;
            let content = match text {
                Some(text) => serde_json::json!({ "text": text }),
                None => serde_json::json!({}),
            };
            insert_message(
                conn,
                event,
                &Posted {
                    message_id: *card_id,
                    author: *author,
                    mentions,
                    at: *shared_at,
                },
                content,
                Some(*card_id),
            )
            .await?;
        }
        E::MessageDeleted { message_id, .. } => {
            // What was said leaves the read model; the log keeps it for auditors.
            sqlx::query(
                "UPDATE messages SET content = NULL, mentions = '{}', deleted_at = $3 \
                 WHERE tenant_id = $1 AND message_id = $2",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            for statement in [
                "DELETE FROM reactions WHERE tenant_id = $1 AND message_id = $2",
                "DELETE FROM cards WHERE tenant_id = $1 AND card_id = $2",
                "DELETE FROM notifications WHERE tenant_id = $1 AND message_id = $2",
            ] {
                sqlx::query(statement)
                    .bind(tenant_id)
                    .bind(message_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        E::ReactionAdded {
            message_id,
            user_id,
            emoji,
        } => {
            sqlx::query(
                "INSERT INTO reactions (tenant_id, message_id, user_id, emoji, position) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(user_id.0)
            .bind(emoji)
            .bind(event.position.0)
            .execute(&mut *conn)
            .await?;
        }
        E::ReactionRemoved {
            message_id,
            user_id,
            emoji,
        } => {
            sqlx::query(
                "DELETE FROM reactions \
                 WHERE tenant_id = $1 AND message_id = $2 AND user_id = $3 AND emoji = $4",
            )
            .bind(tenant_id)
            .bind(message_id)
            .bind(user_id.0)
            .bind(emoji)
            .execute(&mut *conn)
            .await?;
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
