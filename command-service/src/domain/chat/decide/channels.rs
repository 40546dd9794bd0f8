//! Making channels and DMs, changing them, joining them.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(channel: &Channel, actor: Actor, command: C) -> Result<Vec<E>, R> {
    match command {
        C::CreateChannel {
            kind,
            name,
            description,
            avatar,
            members,
        } => {
            rules::may_create(kind, actor)?;
            if channel.exists() {
                return Err(R::AlreadyExists);
            }
            let name = channel_name(&name)?;
            let description = description_of(description)?;
            if let Some(avatar) = &avatar {
                require_avatar(avatar)?;
            }
            let members = unique(members)
                .into_iter()
                .filter(|member| *member != actor.user_id)
                .collect();
            let authors = if kind == ChannelKind::Announcement {
                vec![actor.user_id]
            } else {
                Vec::new()
            };
            Ok(vec![E::ChannelCreated {
                kind,
                name,
                description,
                avatar,
                owner: actor.user_id,
                members,
                authors,
            }])
        }
        C::UpdateChannel(changes) => {
            rules::may_manage(channel, actor)?;
            update(channel, changes)
        }
        C::JoinChannel => {
            rules::may_join(channel, actor)?;
            if channel.is_member(actor.user_id) {
                return Ok(Vec::new());
            }
            Ok(vec![E::MemberJoined {
                user_id: actor.user_id,
            }])
        }
        C::OpenDirectMessage { with } => {
            if channel.exists() {
                // Opening it again finds the same DM; only its people may.
                rules::may_see(channel, actor)?;
                return Ok(Vec::new());
            }
            Ok(vec![E::DirectMessageOpened {
                members: unique(vec![actor.user_id, with]),
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
