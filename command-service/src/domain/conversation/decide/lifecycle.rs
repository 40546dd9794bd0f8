//! Resolve, close (by hand or by the auto-close), reopen, delete.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::ResolveConversation { actor } => {
            require_assignee_or_admin(state, actor)?;
            match state.status {
                Status::Open => Ok(vec![E::ConversationResolved {}]),
                Status::Resolved => Ok(Vec::new()),
                other => Err(wrong_status(other, "resolved")),
            }
        }
        C::CloseConversation { actor } => {
            require_assignee_or_admin(state, actor)?;
            close(state, false)
        }
        C::CloseResolvedConversation => {
            // The timer fires for the resolution it was set for; a conversation reopened
            // (or closed by hand) since then is left alone.
            if state.status != Status::Resolved {
                return Ok(Vec::new());
            }
            close(state, true)
        }
        C::ReopenConversation { actor } => {
            require_assignee_or_admin(state, actor)?;
            match state.status {
                Status::Resolved | Status::Closed => Ok(vec![E::ConversationReopened {}]),
                Status::Open => Ok(Vec::new()),
                other => Err(wrong_status(other, "reopened")),
            }
        }
        C::DeleteConversation { actor } => {
            require_exists(state)?;
            if !actor.is_account_admin() {
                return Err(R::MayNotDelete);
            }
            if let Some(invoice_id) = state.unpaid_invoice() {
                return Err(R::UnpaidInvoice {
                    invoice_id: invoice_id.to_owned(),
                });
            }
            Ok(vec![E::ConversationDeleted {}])
        }
        C::EraseConversation { actor } => {
            if !actor.is_account_admin() {
                return Err(R::MayNotDelete);
            }
            match state.status {
                Status::New => Err(R::NotFound),
                // Erased (or deleted) already: the retry of an erasure changes nothing.
                Status::Deleted => Ok(Vec::new()),
                _ => Ok(vec![E::ConversationDeleted {}]),
            }
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
