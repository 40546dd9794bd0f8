//! A channel's members: who is in it, their roles, the announcement authors, each member's own preferences.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(channel: &Channel, actor: Actor, command: C) -> Result<Vec<E>, R> {
    match command {
        C::AddMember { user_id } => {
            rules::may_manage(channel, actor)?;
            if channel.is_member(user_id) {
                return Ok(Vec::new());
            }
            Ok(vec![E::MemberAdded {
                user_id,
                added_by: actor.user_id,
            }])
        }
        C::RemoveMember { user_id } => {
            rules::may_remove(channel, actor, user_id)?;
            if !channel.is_member(user_id) {
                return Ok(Vec::new());
            }
            Ok(vec![E::MemberRemoved {
                user_id,
                removed_by: actor.user_id,
            }])
        }
        C::ChangeMemberRole { user_id, role } => {
            rules::may_manage(channel, actor)?;
            if role == ChannelRole::Owner {
                return Err(R::Invalid {
                    field: "role",
                    reason: "must be admin or member; a channel has one owner, its creator",
                });
            }
            rules::may_change_role_of(channel, user_id)?;
            if channel.role_of(user_id) == Some(role) {
                return Ok(Vec::new());
            }
            Ok(vec![E::MemberRoleChanged { user_id, role }])
        }
        C::SetAnnouncementAuthors { authors } => {
            rules::may_manage(channel, actor)?;
            if channel.kind != Some(ChannelKind::Announcement) {
                return Err(R::NotAnAnnouncementChannel);
            }
            let authors = unique(authors);
            if authors.iter().copied().eq(channel.authors.iter().copied()) {
                return Ok(Vec::new());
            }
            Ok(vec![E::AnnouncementAuthorsSet { authors }])
        }
        C::SetMemberPreferences {
            level,
            muted,
            personal_note,
        } => {
            rules::is_member(channel, actor)?;
            let personal_note = optional_text("personal_note", personal_note, NOTE_MAX)?;
            let current = channel.preferences.get(&actor.user_id);
            let unchanged = current.is_some_and(|current| {
                current.level == level
                    && current.muted == muted
                    && current.personal_note == personal_note
            });
            if unchanged {
                return Ok(Vec::new());
            }
            Ok(vec![E::MemberPreferencesSet {
                user_id: actor.user_id,
                level,
                muted,
                personal_note,
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
