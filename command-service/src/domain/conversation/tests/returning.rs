//! A contact who comes back after their conversation closed: the new conversation
//! names the agent who last handled them, if that agent may see it.

use super::*;

fn returning(presets: ContactPresets, last_agent: Option<UserId>) -> ConversationCommand {
    ConversationCommand::ReceiveInboundMessage {
        contact_id: id(1),
        group_id: None,
        presets,
        predecessor: Some(Predecessor {
            conversation_id: id(70),
            last_agent,
        }),
        channel: Channel::Sms,
        external_id: None,
        content: MessageContent::text("it's me again"),
        message_id: id(71),
        now: now(),
    }
}

#[test]
fn the_new_conversation_names_the_agent_who_last_handled_the_contact() {
    let events = given(&[])
        .when(returning(ContactPresets::default(), Some(user(3))))
        .unwrap();
    assert!(matches!(events[0], E::ConversationStarted { .. }));
    assert_eq!(
        events[1],
        E::ContactReturned {
            previous_conversation_id: id(70),
            previous_agent: Some(user(3)),
        }
    );
    assert!(matches!(events[2], E::MessageReceived { .. }));
    assert_eq!(events.len(), 3);
}

#[test]
fn an_agent_the_new_conversation_is_hidden_from_is_not_named() {
    let restricted = ContactPresets {
        auto_assign: vec![],
        visible_to: Some(vec![user(4)]),
    };
    let events = given(&[])
        .when(returning(restricted, Some(user(3))))
        .unwrap();
    assert_eq!(
        events[1],
        E::ContactReturned {
            previous_conversation_id: id(70),
            previous_agent: None,
        }
    );
}

#[test]
fn the_last_person_to_answer_is_who_handled_the_contact_not_the_bot() {
    let history = [
        started(vec![user(1)], None),
        E::MessageSent {
            message_id: id(72),
            channel: Channel::Sms,
            sender_kind: SenderKind::Agent,
            author: Some(user(2)),
            content: MessageContent::text("done"),
            snippet_id: None,
            sent_at: now(),
        },
        E::MessageSent {
            message_id: id(73),
            channel: Channel::Sms,
            sender_kind: SenderKind::Bot,
            author: None,
            content: MessageContent::text("bye"),
            snippet_id: None,
            sent_at: now(),
        },
    ];
    assert_eq!(
        Conversation::from_history(&history).last_agent,
        Some(user(2))
    );
    assert_eq!(
        Conversation::from_history(&history[..1]).last_agent,
        None,
        "nobody answered yet"
    );
}
