//! The rules of a conversation (README "A support day with curl"): one command in, the events
//! it causes out, or the rule it breaks.

use caselog_schemas::events::{CloseReason, ConversationEvent as E, SenderKind, StartedBy};
use caselog_schemas::{Role, UserId};

use super::command::{Actor, ConversationCommand as C, Policy, Predecessor};
use super::rejection::ConversationRejection as R;
use super::state::{Bot, Conversation, Status};

mod arrivals;
mod details;
mod internal;
mod lifecycle;
mod replies;
mod team;

/// Decides `command` as `caller` asks it under the tenant's `policy`: a conversation
/// the caller may not see is not found, whatever the command; with acceptance
/// required, an agent who has not accepted it may only accept, reject, read, note and
/// message the team.
pub fn decide_as(
    state: &Conversation,
    caller: Actor,
    policy: Policy,
    command: C,
) -> Result<Vec<E>, R> {
    if state.exists() && !state.may_be_seen_by(caller) {
        return Err(R::NotFound);
    }
    if policy.require_accept
        && command.needs_acceptance()
        && caller.role == Role::Agent
        && state.exists()
        && !state.accepted_by.contains(&caller.user_id)
    {
        return Err(R::NotAccepted);
    }
    decide(state, command)
}

/// Decides what `command` does to `state`.
pub fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::ReceiveInboundMessage { .. } | C::StartConversation { .. } => {
            arrivals::decide(state, command)
        }
        C::SendMessage { .. }
        | C::HandOffToHuman { .. }
        | C::EnableBot { .. }
        | C::DisableBot { .. }
        | C::AddPrivateNote { .. } => replies::decide(state, command),
        C::SendInternalMessage { .. }
        | C::MarkInternalMessageRead { .. }
        | C::DeleteInternalThread { .. } => internal::decide(state, command),
        C::AssignConversation { .. }
        | C::SetVisibility { .. }
        | C::AcceptConversation { .. }
        | C::RejectConversation { .. }
        | C::LeaveConversation { .. }
        | C::MarkConversationRead { .. } => team::decide(state, command),
        C::ResolveConversation { .. }
        | C::CloseConversation { .. }
        | C::CloseResolvedConversation
        | C::ReopenConversation { .. }
        | C::DeleteConversation { .. }
        | C::EraseConversation { .. } => lifecycle::decide(state, command),
        C::AttachInvoice { .. }
        | C::MarkInvoicePaid { .. }
        | C::RateConversation { .. }
        | C::SetTopic { .. } => details::decide(state, command),
    }
}

fn close(state: &Conversation, automatic: bool) -> Result<Vec<E>, R> {
    match state.status {
        Status::Open | Status::Resolved => {
            if let Some(invoice_id) = state.unpaid_invoice() {
                return Err(R::UnpaidInvoice {
                    invoice_id: invoice_id.to_owned(),
                });
            }
            let reason = if automatic {
                CloseReason::AutoClose
            } else {
                CloseReason::Manual
            };
            Ok(vec![E::ConversationClosed { reason }])
        }
        Status::Closed => Ok(Vec::new()),
        other => Err(wrong_status(other, "closed")),
    }
}

fn require_exists(state: &Conversation) -> Result<(), R> {
    if state.exists() {
        Ok(())
    } else {
        Err(R::NotFound)
    }
}

fn require_open_or_resolved(state: &Conversation) -> Result<(), R> {
    require_exists(state)?;
    if state.status == Status::Closed {
        Err(R::Closed)
    } else {
        Ok(())
    }
}

fn require_assignee_or_admin(state: &Conversation, actor: Actor) -> Result<(), R> {
    require_exists(state)?;
    if actor.is_account_admin() || state.is_assignee(actor.user_id) {
        Ok(())
    } else {
        Err(R::NotAnAssigneeOrAdmin)
    }
}

/// In a group's conversation, a user outside the group is assigned (or accepts) only by
/// an account admin.
fn require_in_group(
    state: &Conversation,
    actor: Actor,
    user: UserId,
    groups: &[uuid::Uuid],
) -> Result<(), R> {
    match state.group_id {
        Some(group) if !actor.is_account_admin() && !groups.contains(&group) => {
            Err(R::OutsideGroup { user, group })
        }
        _ => Ok(()),
    }
}

/// Assignees must be among the users a restricted conversation is visible to.
fn require_within_visibility(visible_to: &Option<Vec<UserId>>, users: &[UserId]) -> Result<(), R> {
    let Some(list) = visible_to else {
        return Ok(());
    };
    match users.iter().find(|user| !list.contains(user)) {
        Some(outside) => Err(R::AssigneeNotVisible { user: *outside }),
        None => Ok(()),
    }
}

fn require_text(field: &'static str, text: &str) -> Result<(), R> {
    if text.trim().is_empty() {
        Err(R::Blank { field })
    } else {
        Ok(())
    }
}

fn wrong_status(current: Status, wanted: &'static str) -> R {
    let current = match current {
        Status::New => "not started",
        Status::Open => "open",
        Status::Resolved => "resolved",
        Status::Closed => "closed",
        Status::Deleted => "deleted",
    };
    R::WrongStatus { current, wanted }
}
