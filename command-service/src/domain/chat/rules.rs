//! Who may do what in the chat (README "The internal team chat with curl"), one function per rule so
//! each is tested on its own. Order matters where rules meet: a channel the actor may
//! not see is "not found" before any other refusal, so refusals never reveal it.

use caselog_schemas::Role;
use caselog_schemas::events::{CardEntityType, ChannelKind, ChannelRole};

use super::rejection::ChatRejection as R;
use super::state::Channel;
use crate::domain::conversation::Actor;

/// The tenant switch: with the module off, every chat command is refused.
pub fn chat_switched_on(chat_enabled: bool) -> Result<(), R> {
    if chat_enabled {
        Ok(())
    } else {
        Err(R::ChatSwitchedOff)
    }
}

/// Any staff member creates public and private channels; announcement channels, the
/// account's official notices, only account owners and admins.
pub fn may_create(kind: ChannelKind, actor: Actor) -> Result<(), R> {
    let allowed = match kind {
        ChannelKind::Public | ChannelKind::Private => actor.role.is_staff(),
        ChannelKind::Announcement => actor.is_account_admin(),
        ChannelKind::Direct => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(R::MayNotCreate { kind })
    }
}

/// Public and announcement channels are seen by everyone in the account; private
/// channels and direct messages only by their members.
pub fn may_see(channel: &Channel, actor: Actor) -> Result<(), R> {
    match channel.kind {
        None => Err(R::NotFound),
        Some(ChannelKind::Public | ChannelKind::Announcement) => Ok(()),
        Some(ChannelKind::Private | ChannelKind::Direct) if channel.is_member(actor.user_id) => {
            Ok(())
        }
        Some(ChannelKind::Private | ChannelKind::Direct) => Err(R::NotFound),
    }
}

/// Members are managed (added, removed, promoted, demoted, made authors) by the
/// channel's owner and admins and by account admins — also in a private channel they
/// are not in. The two people of a direct message are fixed.
pub fn may_manage(channel: &Channel, actor: Actor) -> Result<(), R> {
    if actor.is_account_admin() && channel.kind != Some(ChannelKind::Direct) {
        if !channel.exists() {
            return Err(R::NotFound);
        }
    } else {
        may_see(channel, actor)?;
    }
    if channel.kind == Some(ChannelKind::Direct) {
        return Err(R::DirectMessageIsFixed);
    }
    let manages = actor.is_account_admin()
        || matches!(
            channel.role_of(actor.user_id),
            Some(ChannelRole::Owner | ChannelRole::Admin)
        );
    if manages {
        Ok(())
    } else {
        Err(R::NotAChannelManager)
    }
}

/// Anyone joins a public or announcement channel; a private one is invite-only and
/// invisible, a direct message is never joined.
pub fn may_join(channel: &Channel, actor: Actor) -> Result<(), R> {
    may_see(channel, actor)?;
    match channel.kind {
        Some(ChannelKind::Public | ChannelKind::Announcement) => Ok(()),
        _ if channel.is_member(actor.user_id) => Ok(()),
        _ => Err(R::NotFound),
    }
}

/// In an announcement channel only its authors post (everyone else reads); elsewhere,
/// the members.
pub fn may_post(channel: &Channel, actor: Actor) -> Result<(), R> {
    may_see(channel, actor)?;
    if channel.kind == Some(ChannelKind::Announcement) {
        return if channel.authors.contains(&actor.user_id) {
            Ok(())
        } else {
            Err(R::NotAnAuthor)
        };
    }
    is_member(channel, actor)
}

/// Reactions and per-member preferences are for members.
pub fn is_member(channel: &Channel, actor: Actor) -> Result<(), R> {
    may_see(channel, actor)?;
    if channel.is_member(actor.user_id) {
        Ok(())
    } else {
        Err(R::NotAMember)
    }
}

/// Only account owners and admins delete a message, in any channel they can reach
/// (for a private channel or a DM: one they are in).
pub fn may_delete_message(channel: &Channel, actor: Actor) -> Result<(), R> {
    may_see(channel, actor)?;
    if actor.is_account_admin() {
        Ok(())
    } else {
        Err(R::MayNotDeleteMessages)
    }
}

/// The owner's role is not changed and the owner is not removed (only they created the
/// channel); "owner" is never given.
pub fn may_change_role_of(channel: &Channel, target: caselog_schemas::UserId) -> Result<(), R> {
    match channel.role_of(target) {
        None => Err(R::NotAMemberOfChannel { user: target }),
        Some(ChannelRole::Owner) => Err(R::OwnerStays),
        Some(_) => Ok(()),
    }
}

/// Removing: a manager removes anyone but the owner; any member removes themselves
/// (leaves), except the owner.
pub fn may_remove(
    channel: &Channel,
    actor: Actor,
    target: caselog_schemas::UserId,
) -> Result<(), R> {
    if channel.owner == Some(target) {
        may_see(channel, actor)?;
        return Err(R::OwnerStays);
    }
    if target == actor.user_id && channel.kind != Some(ChannelKind::Direct) {
        return is_member(channel, actor);
    }
    may_manage(channel, actor)
}

/// Conversation and contact cards are built by caselog and shared by the staff; the
/// other seven types come from their source modules through the integration role.
pub fn may_share(entity_type: CardEntityType, actor: Actor) -> Result<(), R> {
    match (entity_type.is_caselog_own(), actor.role) {
        (_, role) if role.is_staff() => Ok(()),
        (true, _) => Err(R::CardBuiltByCaselog { entity_type }),
        (false, Role::Integration) => Ok(()),
        (false, _) => Err(R::CardComesFromIntegration { entity_type }),
    }
}

/// A card lands where its sharer may post; an integration, the account's own
/// module, may share into any channel but a direct message.
pub fn may_share_into(channel: &Channel, actor: Actor) -> Result<(), R> {
    if actor.role == Role::Integration {
        return match channel.kind {
            None | Some(ChannelKind::Direct) => Err(R::NotFound),
            Some(_) => Ok(()),
        };
    }
    may_post(channel, actor)
}
