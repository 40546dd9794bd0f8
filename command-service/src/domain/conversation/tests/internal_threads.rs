//! Deleting an internal-message thread: admins only, the message and every reply to
//! it, and a deleted message takes no reply or read mark.

use super::*;

fn sent(n: u128, from: u128, to: u128, in_reply_to: Option<u128>) -> E {
    E::InternalMessageSent {
        internal_message_id: id(n),
        from: user(from),
        to: user(to),
        text: format!("message {n}"),
        in_reply_to: in_reply_to.map(id),
    }
}

fn delete(actor: Actor, n: u128) -> ConversationCommand {
    ConversationCommand::DeleteInternalThread {
        actor,
        internal_message_id: id(n),
    }
}

#[test]
fn an_admin_deletes_a_message_with_its_replies_to_any_depth_and_nothing_else() {
    let history = [
        started(vec![user(1)], None),
        sent(50, 1, 2, None),
        sent(51, 2, 1, Some(50)),
        sent(52, 1, 2, Some(51)),
        sent(53, 1, 2, None),
    ];
    let events = given(&history).when(delete(admin(), 50)).unwrap();
    let [
        E::InternalThreadDeleted {
            internal_message_id,
            message_ids,
            deleted_by,
        },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!(*internal_message_id, id(50));
    assert_eq!(message_ids, &vec![id(50), id(51), id(52)]);
    assert_eq!(*deleted_by, user(900));

    let after: Vec<E> = history.iter().cloned().chain(events).collect();
    assert_eq!(
        given(&after).when(delete(admin(), 51)),
        Err(ConversationRejection::UnknownInternalMessage {
            internal_message_id: id(51)
        })
    );
    let read = ConversationCommand::MarkInternalMessageRead {
        actor: agent(2),
        internal_message_id: id(52),
    };
    assert!(given(&after).when(read).is_err());
    assert!(
        given(&after).when(delete(admin(), 53)).is_ok(),
        "another thread stays"
    );
}

#[test]
fn only_owners_and_admins_delete_internal_messages() {
    let history = [started(vec![user(1)], None), sent(50, 1, 2, None)];
    assert_eq!(
        given(&history).when(delete(agent(1), 50)),
        Err(ConversationRejection::MayNotDeleteInternalMessages)
    );
}
