//! The conversation's invoice, rating and topic.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(state: &Conversation, command: C) -> Result<Vec<E>, R> {
    match command {
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
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
