//! Who works on a conversation and who may see it: assignment, visibility, acceptance, leaving, read marks.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::AssignConversation {
            actor,
            assignees,
            assignee_groups,
        } => {
            require_open_or_resolved(state)?;
            let mut unique = Vec::with_capacity(assignees.len());
            for user in assignees {
                if !unique.contains(&user) {
                    unique.push(user);
                }
            }
            require_within_visibility(&state.visible_to, &unique)?;
            // Those already assigned stay, whoever assigned them.
            for user in unique.iter().filter(|user| !state.is_assignee(**user)) {
                let groups = assignee_groups.get(user).map_or(&[][..], Vec::as_slice);
                require_in_group(state, actor, *user, groups)?;
            }
            if unique == state.assignees {
                return Ok(Vec::new());
            }
            Ok(vec![E::ConversationAssigned {
                assignees: unique,
                previous_assignees: state.assignees.clone(),
                automatic: false,
            }])
        }
        C::SetVisibility { actor, visible_to } => {
            require_exists(state)?;
            let may = matches!(actor.role, Role::Owner | Role::Admin | Role::Supervisor)
                || state.is_assignee(actor.user_id);
            if !may {
                return Err(R::MayNotChangeVisibility);
            }
            require_within_visibility(&visible_to, &state.assignees)?;
            if visible_to == state.visible_to {
                return Ok(Vec::new());
            }
            Ok(vec![E::VisibilityChanged { visible_to }])
        }
        C::AcceptConversation { actor, groups } => {
            require_open_or_resolved(state)?;
            if state.accepted_by.contains(&actor.user_id) {
                return Ok(Vec::new());
            }
            if !state.is_assignee(actor.user_id) {
                require_in_group(state, actor, actor.user_id, &groups)?;
            }
            let mut events = vec![E::ConversationAccepted {
                user: actor.user_id,
            }];
            if !state.is_assignee(actor.user_id) {
                let mut assignees = state.assignees.clone();
                assignees.push(actor.user_id);
                require_within_visibility(&state.visible_to, &[actor.user_id])?;
                events.push(E::ConversationAssigned {
                    assignees,
                    previous_assignees: state.assignees.clone(),
                    automatic: true,
                });
            }
            Ok(events)
        }
        C::RejectConversation { actor } => {
            require_open_or_resolved(state)?;
            Ok(vec![E::ConversationRejected {
                user: actor.user_id,
            }])
        }
        C::LeaveConversation { actor } => {
            require_exists(state)?;
            if !state.is_assignee(actor.user_id) {
                return Err(R::NotAssigned {
                    user: actor.user_id,
                });
            }
            Ok(vec![E::ConversationLeft {
                user: actor.user_id,
            }])
        }
        C::MarkConversationRead { actor } => {
            require_exists(state)?;
            Ok(vec![E::ConversationRead {
                user: actor.user_id,
                up_to_message_id: state.last_message_id,
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
