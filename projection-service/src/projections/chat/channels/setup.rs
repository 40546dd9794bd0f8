//! A channel made, a DM opened, a channel's details changed.

use super::*;

pub(super) async fn apply(
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
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
