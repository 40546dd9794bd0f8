//! The rules of a conversation (README "A support day with curl"): one command in, the events
//! it causes out, or the rule it breaks.

use caselog_schemas::events::{CloseReason, ConversationEvent as E, SenderKind, StartedBy};
use caselog_schemas::{Role, UserId};

use super::command::{Actor, ConversationCommand as C};
use super::rejection::ConversationRejection as R;
use super::state::{Conversation, Status};

/// Decides what `command` does to `state`.
pub fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
        C::ReceiveInboundMessage {
            contact_id,
            group_id,
            presets,
            channel,
            external_id,
            content,
            message_id,
            now,
        } => {
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let received = E::MessageReceived {
                message_id,
                channel,
                external_id,
                content,
                received_at: now,
            };
            match state.status {
                Status::New => Ok(vec![
                    E::ConversationStarted {
                        contact_id,
                        group_id,
                        channel,
                        started_by: StartedBy::InboundMessage,
                        assignees: presets.auto_assign,
                        visible_to: presets.visible_to,
                    },
                    received,
                ]),
                // A new message brings a resolved conversation back to the team.
                Status::Resolved => Ok(vec![E::ConversationReopened {}, received]),
                Status::Open => Ok(vec![received]),
                Status::Closed => Err(R::Closed),
                Status::Deleted => Err(R::NotFound),
            }
        }
        C::StartConversation {
            actor,
            contact_id,
            group_id,
            presets,
            channel,
            content,
            snippet_id,
            message_id,
            now,
        } => {
            if state.status != Status::New {
                return Err(R::AlreadyExists);
            }
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            let mut assignees = presets.auto_assign;
            // Whoever starts the chat is responsible for it unless presets say otherwise.
            if assignees.is_empty() {
                assignees.push(actor.user_id);
            }
            require_within_visibility(&presets.visible_to, &assignees)?;
            Ok(vec![
                E::ConversationStarted {
                    contact_id,
                    group_id,
                    channel,
                    started_by: StartedBy::Agent,
                    assignees,
                    visible_to: presets.visible_to,
                },
                E::MessageSent {
                    message_id,
                    channel,
                    sender_kind: SenderKind::Agent,
                    author: Some(actor.user_id),
                    content,
                    snippet_id,
                    sent_at: now,
                },
            ])
        }
        C::SendMessage {
            actor,
            sender_kind,
            channel,
            content,
            snippet_id,
            require_accept,
            message_id,
            now,
        } => {
            require_open_or_resolved(state)?;
            if content.is_empty() {
                return Err(R::EmptyMessage);
            }
            if let Some(actor) = actor
                && require_accept
                && actor.role == Role::Agent
                && !state.accepted_by.contains(&actor.user_id)
            {
                return Err(R::NotAccepted);
            }
            let channel = channel.or(state.last_channel).ok_or(R::Invalid {
                field: "channel",
                reason: "no channel to reply on",
            })?;
            let mut events = vec![E::MessageSent {
                message_id,
                channel,
                sender_kind,
                author: actor.map(|actor| actor.user_id),
                content,
                snippet_id,
                sent_at: now,
            }];
            // An unassigned conversation belongs to the agent who first replies.
            if let Some(actor) =
                actor.filter(|_| sender_kind.is_human() && state.assignees.is_empty())
            {
                events.push(E::ConversationAssigned {
                    assignees: vec![actor.user_id],
                    previous_assignees: Vec::new(),
                    automatic: true,
                });
            }
            Ok(events)
        }
        C::HandOffToHuman { reason } => {
            require_open_or_resolved(state)?;
            Ok(vec![E::HandedOffToHuman { reason }])
        }
        C::AddPrivateNote {
            actor,
            text,
            note_id,
        } => {
            require_exists(state)?;
            require_text("text", &text)?;
            Ok(vec![E::PrivateNoteAdded {
                note_id,
                author: actor.user_id,
                text,
            }])
        }
        C::SendInternalMessage {
            actor,
            to,
            text,
            in_reply_to,
            internal_message_id,
        } => {
            require_exists(state)?;
            require_text("text", &text)?;
            if let Some(original) = in_reply_to {
                let message =
                    state
                        .internal_messages
                        .get(&original)
                        .ok_or(R::UnknownInternalMessage {
                            internal_message_id: original,
                        })?;
                if message.to != actor.user_id && message.from != actor.user_id {
                    return Err(R::UnknownInternalMessage {
                        internal_message_id: original,
                    });
                }
            }
            Ok(vec![E::InternalMessageSent {
                internal_message_id,
                from: actor.user_id,
                to,
                text,
                in_reply_to,
            }])
        }
        C::MarkInternalMessageRead {
            actor,
            internal_message_id,
        } => {
            require_exists(state)?;
            let message = state.internal_messages.get(&internal_message_id).ok_or(
                R::UnknownInternalMessage {
                    internal_message_id,
                },
            )?;
            if message.to != actor.user_id {
                return Err(R::NotTheRecipient);
            }
            if message.read {
                return Ok(Vec::new());
            }
            Ok(vec![E::InternalMessageRead {
                internal_message_id,
                reader: actor.user_id,
            }])
        }
        C::AssignConversation {
            actor: _,
            assignees,
        } => {
            require_open_or_resolved(state)?;
            let mut unique = Vec::with_capacity(assignees.len());
            for user in assignees {
                if !unique.contains(&user) {
                    unique.push(user);
                }
            }
            require_within_visibility(&state.visible_to, &unique)?;
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
        C::AcceptConversation { actor } => {
            require_open_or_resolved(state)?;
            if state.accepted_by.contains(&actor.user_id) {
                return Ok(Vec::new());
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
        C::AttachInvoice {
            invoice_id,
            amount_minor,
            currency,
        } => {
            require_open_or_resolved(state)?;
            require_text("invoice_id", &invoice_id)?;
            if amount_minor <= 0 {
                return Err(R::Invalid {
                    field: "amount_minor",
                    reason: "must be a positive amount in minor units",
                });
            }
            let is_currency =
                currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
            if !is_currency {
                return Err(R::Invalid {
                    field: "currency",
                    reason: "must be an ISO 4217 code such as EUR",
                });
            }
            if state.invoices.contains_key(&invoice_id) {
                return Err(R::InvoiceAlreadyAttached { invoice_id });
            }
            Ok(vec![E::InvoiceAttached {
                invoice_id,
                amount_minor,
                currency,
            }])
        }
        C::MarkInvoicePaid { invoice_id } => {
            require_exists(state)?;
            match state.invoices.get(&invoice_id) {
                None => Err(R::UnknownInvoice { invoice_id }),
                Some(true) => Ok(Vec::new()),
                Some(false) => Ok(vec![E::InvoicePaid { invoice_id }]),
            }
        }
        C::RateConversation { score, comment } => {
            require_exists(state)?;
            if !(1..=5).contains(&score) {
                return Err(R::InvalidScore);
            }
            Ok(vec![E::ConversationRated { score, comment }])
        }
        C::SetTopic { topic } => {
            require_exists(state)?;
            require_text("topic", &topic)?;
            Ok(vec![E::TopicSet {
                topic: topic.trim().to_owned(),
            }])
        }
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
