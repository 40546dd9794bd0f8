//! Who is in a channel, in which role, who may announce, each member's preferences.

use super::*;

pub(super) async fn apply(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    channel_event: &E,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let channel_id = event.stream_id.0;
    match channel_event {
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
        other => unreachable!("not an event of this group: {other:?}"),
    }
    Ok(())
}
