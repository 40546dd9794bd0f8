//! A contact erased as a data subject takes every conversation of theirs with them.

use super::*;

#[test]
fn a_contacts_erasure_erases_the_conversation_whatever_it_holds_and_only_once() {
    let unpaid = [
        started(vec![user(1)], None),
        E::InvoiceAttached {
            invoice_id: "INV-1".into(),
            amount_minor: 100,
            currency: "EUR".into(),
        },
    ];
    let erase = ConversationCommand::EraseConversation { actor: admin() };
    assert_eq!(
        given(&unpaid).when(erase.clone()),
        Ok(vec![E::ConversationDeleted {}])
    );
    let deleted = [started(vec![user(1)], None), E::ConversationDeleted {}];
    assert_eq!(given(&deleted).when(erase), Ok(vec![]));
    assert_eq!(
        given(&unpaid).when(ConversationCommand::EraseConversation { actor: agent(1) }),
        Err(ConversationRejection::MayNotDelete)
    );
}
