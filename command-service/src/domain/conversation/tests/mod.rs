//! given(history).when(command).then(events) / .then_err(rejection), with no database.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use caselog_schemas::events::{
    Channel, CloseReason, ConversationEvent as E, MessageContent, SenderKind, StartedBy,
};
use caselog_schemas::{Role, UserId};

use super::*;

mod acceptance_and_groups;
mod chatbot;
mod erasure;
mod internal_threads;
mod returning;

struct Given(Conversation);

fn given(history: &[E]) -> Given {
    Given(Conversation::from_history(history))
}

impl Given {
    fn when(self, command: ConversationCommand) -> Result<Vec<E>, ConversationRejection> {
        decide(&self.0, command)
    }

    /// As `caller` asks it, under the tenant's `policy`.
    fn when_as(
        self,
        caller: Actor,
        policy: Policy,
        command: ConversationCommand,
    ) -> Result<Vec<E>, ConversationRejection> {
        decide_as(&self.0, caller, policy, command)
    }
}

fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}
fn agent(n: u128) -> Actor {
    Actor {
        user_id: user(n),
        role: Role::Agent,
    }
}
fn admin() -> Actor {
    Actor {
        user_id: user(900),
        role: Role::Admin,
    }
}
/// Users `ns` as members of group 2, the group of `started`'s conversation.
fn in_group_2(ns: &[u128]) -> std::collections::BTreeMap<UserId, Vec<Uuid>> {
    ns.iter().map(|n| (user(*n), vec![id(2)])).collect()
}
fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
}

fn started(assignees: Vec<UserId>, visible_to: Option<Vec<UserId>>) -> E {
    E::ConversationStarted {
        contact_id: id(1),
        group_id: Some(id(2)),
        channel: Channel::Whatsapp,
        started_by: StartedBy::InboundMessage,
        assignees,
        visible_to,
    }
}

fn inbound(text: &str) -> ConversationCommand {
    ConversationCommand::ReceiveInboundMessage {
        contact_id: id(1),
        group_id: Some(id(2)),
        presets: ContactPresets::default(),
        predecessor: None,
        channel: Channel::Whatsapp,
        external_id: None,
        content: MessageContent::text(text),
        message_id: id(10),
        now: now(),
    }
}

fn reply(actor: Actor) -> ConversationCommand {
    ConversationCommand::SendMessage {
        actor: Some(actor),
        sender_kind: None,
        channel: None,
        content: MessageContent::text("on it"),
        snippet_id: None,
        message_id: id(11),
        now: now(),
    }
}

#[test]
fn an_inbound_message_to_a_new_stream_starts_the_conversation_with_the_contact_presets() {
    let presets = ContactPresets {
        auto_assign: vec![user(5)],
        visible_to: Some(vec![user(5), user(6)]),
    };
    let command = match inbound("hello") {
        ConversationCommand::ReceiveInboundMessage {
            presets: _,
            predecessor,
            contact_id,
            group_id,
            channel,
            external_id,
            content,
            message_id,
            now,
        } => ConversationCommand::ReceiveInboundMessage {
            presets,
            predecessor,
            contact_id,
            group_id,
            channel,
            external_id,
            content,
            message_id,
            now,
        },
        _ => unreachable!(),
    };
    let events = given(&[]).when(command).unwrap();
    assert_eq!(
        events[0],
        started(vec![user(5)], Some(vec![user(5), user(6)]))
    );
    assert!(matches!(
        events[1],
        E::MessageReceived {
            channel: Channel::Whatsapp,
            ..
        }
    ));
}

#[test]
fn an_inbound_message_reopens_a_resolved_conversation() {
    let events = given(&[started(vec![], None), E::ConversationResolved {}])
        .when(inbound("again"))
        .unwrap();
    assert_eq!(events[0], E::ConversationReopened {});
}

#[test]
fn a_closed_conversation_takes_no_new_message() {
    let history = [
        started(vec![], None),
        E::ConversationClosed {
            reason: CloseReason::Manual,
        },
    ];
    assert_eq!(
        given(&history).when(inbound("hi")),
        Err(ConversationRejection::Closed)
    );
    assert_eq!(
        given(&history).when(reply(agent(1))),
        Err(ConversationRejection::Closed)
    );
}

#[test]
fn an_empty_message_is_refused() {
    assert_eq!(
        given(&[]).when(inbound("  ")),
        Err(ConversationRejection::EmptyMessage)
    );
}

#[test]
fn the_first_human_reply_assigns_an_unassigned_conversation() {
    let events = given(&[started(vec![], None)])
        .when(reply(agent(1)))
        .unwrap();
    assert!(matches!(
        events[0],
        E::MessageSent {
            sender_kind: SenderKind::Agent,
            channel: Channel::Whatsapp,
            ..
        }
    ));
    assert_eq!(
        events[1],
        E::ConversationAssigned {
            assignees: vec![user(1)],
            previous_assignees: vec![],
            automatic: true
        }
    );
}

#[test]
fn a_bot_reply_does_not_assign() {
    let command = ConversationCommand::SendMessage {
        actor: None,
        sender_kind: None,
        channel: None,
        content: MessageContent::text("I am a bot"),
        snippet_id: None,
        message_id: id(12),
        now: now(),
    };
    let events = given(&[started(vec![], None)]).when(command).unwrap();
    assert_eq!(events[0], E::BotEnabled { by: None }, "its first word");
    assert!(matches!(events[1], E::MessageSent { .. }));
    assert_eq!(events.len(), 2, "no assignment");
}

#[test]
fn when_accepting_is_required_an_agent_must_accept_before_replying() {
    let required = Policy {
        require_accept: true,
    };
    let history = [started(vec![], None)];
    assert_eq!(
        given(&history).when_as(agent(1), required, reply(agent(1))),
        Err(ConversationRejection::NotAccepted)
    );
    assert!(
        given(&history)
            .when_as(agent(1), Policy::default(), reply(agent(1)))
            .is_ok()
    );
    let accepted = [
        started(vec![], None),
        E::ConversationAccepted { user: user(1) },
    ];
    assert!(
        given(&accepted)
            .when_as(agent(1), required, reply(agent(1)))
            .is_ok()
    );
}

#[test]
fn assignees_must_be_within_the_visibility_list() {
    let history = [started(vec![], Some(vec![user(1)]))];
    let command = ConversationCommand::AssignConversation {
        actor: agent(1),
        assignees: vec![user(1), user(2)],
        assignee_groups: in_group_2(&[1, 2]),
    };
    assert_eq!(
        given(&history).when(command),
        Err(ConversationRejection::AssigneeNotVisible { user: user(2) })
    );
}

#[test]
fn reassigning_is_a_transfer_that_remembers_the_previous_assignees() {
    let command = ConversationCommand::AssignConversation {
        actor: agent(1),
        assignees: vec![user(2), user(2)],
        assignee_groups: in_group_2(&[2]),
    };
    let events = given(&[started(vec![user(1)], None)])
        .when(command)
        .unwrap();
    assert_eq!(
        events,
        vec![E::ConversationAssigned {
            assignees: vec![user(2)],
            previous_assignees: vec![user(1)],
            automatic: false
        }]
    );
}

#[test]
fn restricting_visibility_must_keep_the_assignees_in_the_list() {
    let history = [started(vec![user(1)], None)];
    let refused = ConversationCommand::SetVisibility {
        actor: admin(),
        visible_to: Some(vec![user(2)]),
    };
    assert_eq!(
        given(&history).when(refused),
        Err(ConversationRejection::AssigneeNotVisible { user: user(1) })
    );
    let outsider = ConversationCommand::SetVisibility {
        actor: agent(3),
        visible_to: Some(vec![user(1)]),
    };
    assert_eq!(
        given(&history).when(outsider),
        Err(ConversationRejection::MayNotChangeVisibility)
    );
}

#[test]
fn closing_with_an_unpaid_invoice_is_refused_and_allowed_once_paid() {
    let invoice = E::InvoiceAttached {
        invoice_id: "INV-1".into(),
        amount_minor: 1250,
        currency: "EUR".into(),
    };
    let unpaid = [started(vec![user(1)], None), invoice.clone()];
    let close = ConversationCommand::CloseConversation { actor: agent(1) };
    assert_eq!(
        given(&unpaid).when(close.clone()),
        Err(ConversationRejection::UnpaidInvoice {
            invoice_id: "INV-1".into()
        })
    );
    let delete = ConversationCommand::DeleteConversation { actor: admin() };
    assert_eq!(
        given(&unpaid).when(delete),
        Err(ConversationRejection::UnpaidInvoice {
            invoice_id: "INV-1".into()
        })
    );
    let paid = [
        started(vec![user(1)], None),
        invoice,
        E::InvoicePaid {
            invoice_id: "INV-1".into(),
        },
    ];
    assert_eq!(
        given(&paid).when(close),
        Ok(vec![E::ConversationClosed {
            reason: CloseReason::Manual
        }])
    );
}

#[test]
fn only_an_assignee_or_an_account_admin_resolves() {
    let history = [started(vec![user(1)], None)];
    assert_eq!(
        given(&history).when(ConversationCommand::ResolveConversation { actor: agent(2) }),
        Err(ConversationRejection::NotAnAssigneeOrAdmin)
    );
    assert_eq!(
        given(&history).when(ConversationCommand::ResolveConversation { actor: agent(1) }),
        Ok(vec![E::ConversationResolved {}])
    );
    assert_eq!(
        given(&history).when(ConversationCommand::ResolveConversation { actor: admin() }),
        Ok(vec![E::ConversationResolved {}])
    );
}

#[test]
fn only_owners_and_admins_delete() {
    let history = [started(vec![user(1)], None)];
    let supervisor = Actor {
        user_id: user(7),
        role: Role::Supervisor,
    };
    assert_eq!(
        given(&history).when(ConversationCommand::DeleteConversation { actor: supervisor }),
        Err(ConversationRejection::MayNotDelete)
    );
    let deleted = [started(vec![user(1)], None), E::ConversationDeleted {}];
    assert_eq!(
        given(&deleted).when(inbound("hello?")),
        Err(ConversationRejection::NotFound)
    );
}

#[test]
fn the_auto_close_timer_closes_only_a_still_resolved_conversation_as_the_system() {
    let resolved = [started(vec![], None), E::ConversationResolved {}];
    assert_eq!(
        given(&resolved).when(ConversationCommand::CloseResolvedConversation),
        Ok(vec![E::ConversationClosed {
            reason: CloseReason::AutoClose
        }])
    );
    let reopened = [
        started(vec![], None),
        E::ConversationResolved {},
        E::ConversationReopened {},
    ];
    assert_eq!(
        given(&reopened).when(ConversationCommand::CloseResolvedConversation),
        Ok(vec![])
    );
}

#[test]
fn only_the_recipient_reads_an_internal_message_and_only_once() {
    let history = [
        started(vec![user(1)], None),
        E::InternalMessageSent {
            internal_message_id: id(50),
            from: user(900),
            to: user(1),
            text: "check the invoice".into(),
            in_reply_to: None,
        },
    ];
    let by_other = ConversationCommand::MarkInternalMessageRead {
        actor: agent(2),
        internal_message_id: id(50),
    };
    assert_eq!(
        given(&history).when(by_other),
        Err(ConversationRejection::NotTheRecipient)
    );
    let by_recipient = ConversationCommand::MarkInternalMessageRead {
        actor: agent(1),
        internal_message_id: id(50),
    };
    assert_eq!(
        given(&history).when(by_recipient.clone()),
        Ok(vec![E::InternalMessageRead {
            internal_message_id: id(50),
            reader: user(1)
        }])
    );
    let mut read = history.to_vec();
    read.push(E::InternalMessageRead {
        internal_message_id: id(50),
        reader: user(1),
    });
    assert_eq!(given(&read).when(by_recipient), Ok(vec![]));
}

#[test]
fn a_reply_to_an_internal_message_must_come_from_its_sender_or_recipient() {
    let history = [
        started(vec![user(1)], None),
        E::InternalMessageSent {
            internal_message_id: id(50),
            from: user(900),
            to: user(1),
            text: "hi".into(),
            in_reply_to: None,
        },
    ];
    let reply = |actor| ConversationCommand::SendInternalMessage {
        actor,
        to: user(900),
        text: "done".into(),
        in_reply_to: Some(id(50)),
        internal_message_id: id(51),
    };
    assert!(given(&history).when(reply(agent(1))).is_ok());
    assert_eq!(
        given(&history).when(reply(agent(3))),
        Err(ConversationRejection::UnknownInternalMessage {
            internal_message_id: id(50)
        })
    );
}

#[test]
fn leaving_drops_the_agent_from_the_assignees() {
    let history = [started(vec![user(1), user(2)], None)];
    let events = given(&history)
        .when(ConversationCommand::LeaveConversation { actor: agent(1) })
        .unwrap();
    let state = Conversation::from_history(history.iter().chain(&events));
    assert_eq!(state.assignees, vec![user(2)]);
    assert_eq!(
        given(&history).when(ConversationCommand::LeaveConversation { actor: agent(3) }),
        Err(ConversationRejection::NotAssigned { user: user(3) })
    );
}

#[test]
fn a_rating_is_one_to_five_and_an_invoice_needs_a_positive_amount_and_a_currency() {
    let history = [started(vec![], None)];
    assert_eq!(
        given(&history).when(ConversationCommand::RateConversation {
            score: 6,
            comment: None
        }),
        Err(ConversationRejection::InvalidScore)
    );
    assert!(
        given(&history)
            .when(ConversationCommand::RateConversation {
                score: 5,
                comment: None
            })
            .is_ok()
    );
    let bad_amount = ConversationCommand::AttachInvoice {
        invoice_id: "I".into(),
        amount_minor: 0,
        currency: "EUR".into(),
    };
    assert!(matches!(
        given(&history).when(bad_amount),
        Err(ConversationRejection::Invalid {
            field: "amount_minor",
            ..
        })
    ));
    let bad_currency = ConversationCommand::AttachInvoice {
        invoice_id: "I".into(),
        amount_minor: 10,
        currency: "euro".into(),
    };
    assert!(matches!(
        given(&history).when(bad_currency),
        Err(ConversationRejection::Invalid {
            field: "currency",
            ..
        })
    ));
}

#[test]
fn an_agent_starting_a_chat_is_its_assignee() {
    let command = ConversationCommand::StartConversation {
        actor: agent(1),
        contact_id: id(1),
        group_id: Some(id(2)),
        presets: ContactPresets::default(),
        channel: Channel::Sms,
        content: MessageContent::text("Hi, your order shipped"),
        snippet_id: None,
        message_id: id(20),
        now: now(),
    };
    let events = given(&[]).when(command.clone()).unwrap();
    assert!(
        matches!(&events[0], E::ConversationStarted { started_by: StartedBy::Agent, assignees, .. } if assignees == &vec![user(1)])
    );
    // Starting it is taking it: no separate acceptance.
    assert_eq!(events[2], E::ConversationAccepted { user: user(1) });
    assert_eq!(
        given(&[started(vec![], None)]).when(command),
        Err(ConversationRejection::AlreadyExists)
    );
}

#[test]
fn a_reply_goes_out_on_the_channel_the_customer_last_used_unless_one_is_chosen() {
    let history = [
        started(vec![user(5)], None),
        E::MessageReceived {
            message_id: id(12),
            channel: Channel::Sms,
            external_id: None,
            content: MessageContent::text("by sms now"),
            received_at: now(),
        },
    ];
    let events = given(&history).when(reply(agent(5))).unwrap();
    assert!(matches!(
        events[0],
        E::MessageSent {
            channel: Channel::Sms,
            ..
        }
    ));
    let by_email = ConversationCommand::SendMessage {
        actor: Some(agent(5)),
        sender_kind: None,
        channel: Some(Channel::Email),
        content: MessageContent::text("details by email"),
        snippet_id: None,
        message_id: id(13),
        now: now(),
    };
    let events = given(&history).when(by_email).unwrap();
    assert!(matches!(
        events[0],
        E::MessageSent {
            channel: Channel::Email,
            ..
        }
    ));
}

#[test]
fn a_bot_hands_an_open_conversation_to_a_human() {
    assert_eq!(
        given(&[started(vec![], None)]).when(ConversationCommand::HandOffToHuman {
            reason: Some("asked for a person".into())
        }),
        Ok(vec![E::HandedOffToHuman {
            reason: Some("asked for a person".into())
        }])
    );
    assert_eq!(
        given(&[]).when(ConversationCommand::HandOffToHuman { reason: None }),
        Err(ConversationRejection::NotFound)
    );
}

#[test]
fn notes_internal_messages_and_topics_need_text() {
    let history = [started(vec![user(5)], None)];
    assert_eq!(
        given(&history).when(ConversationCommand::AddPrivateNote {
            actor: agent(5),
            text: "  ".into(),
            note_id: id(20),
        }),
        Err(ConversationRejection::Blank { field: "text" })
    );
    assert_eq!(
        given(&history).when(ConversationCommand::SendInternalMessage {
            actor: admin(),
            to: user(5),
            text: "".into(),
            in_reply_to: None,
            internal_message_id: id(21),
        }),
        Err(ConversationRejection::Blank { field: "text" })
    );
    assert_eq!(
        given(&history).when(ConversationCommand::SetTopic { topic: " ".into() }),
        Err(ConversationRejection::Blank { field: "topic" })
    );
    assert_eq!(
        given(&history).when(ConversationCommand::SetTopic {
            topic: "  refund ".into()
        }),
        Ok(vec![E::TopicSet {
            topic: "refund".into()
        }])
    );
}

#[test]
fn an_invoice_is_attached_once_and_only_an_attached_one_is_paid() {
    let attached = E::InvoiceAttached {
        invoice_id: "INV-1".into(),
        amount_minor: 100,
        currency: "EUR".into(),
    };
    let history = [started(vec![user(5)], None), attached];
    assert_eq!(
        given(&history).when(ConversationCommand::AttachInvoice {
            invoice_id: "INV-1".into(),
            amount_minor: 100,
            currency: "EUR".into(),
        }),
        Err(ConversationRejection::InvoiceAlreadyAttached {
            invoice_id: "INV-1".into()
        })
    );
    assert_eq!(
        given(&history).when(ConversationCommand::MarkInvoicePaid {
            invoice_id: "INV-9".into()
        }),
        Err(ConversationRejection::UnknownInvoice {
            invoice_id: "INV-9".into()
        })
    );
}

#[test]
fn deleting_with_an_unpaid_invoice_is_refused_and_deleted_is_final() {
    let history = [
        started(vec![user(5)], None),
        E::InvoiceAttached {
            invoice_id: "INV-1".into(),
            amount_minor: 100,
            currency: "EUR".into(),
        },
    ];
    assert_eq!(
        given(&history).when(ConversationCommand::DeleteConversation { actor: admin() }),
        Err(ConversationRejection::UnpaidInvoice {
            invoice_id: "INV-1".into()
        })
    );
    let deleted = [started(vec![user(5)], None), E::ConversationDeleted {}];
    assert_eq!(
        given(&deleted).when(reply(agent(5))),
        Err(ConversationRejection::NotFound)
    );
    assert_eq!(
        given(&deleted).when(inbound("still there?")),
        Err(ConversationRejection::NotFound)
    );
}

#[test]
fn an_open_conversation_cannot_be_reopened_twice_nor_a_missing_one_resolved() {
    let open = [started(vec![user(5)], None)];
    assert_eq!(
        given(&open).when(ConversationCommand::ReopenConversation { actor: agent(5) }),
        Ok(vec![])
    );
    let closed = [
        started(vec![user(5)], None),
        E::ConversationClosed {
            reason: CloseReason::Manual,
        },
    ];
    assert_eq!(
        given(&closed).when(ConversationCommand::ResolveConversation { actor: agent(5) }),
        Err(ConversationRejection::WrongStatus {
            current: "closed",
            wanted: "resolved"
        })
    );
    assert_eq!(
        given(&[]).when(ConversationCommand::ResolveConversation { actor: admin() }),
        Err(ConversationRejection::NotFound)
    );
}

#[test]
fn a_restricted_conversation_is_not_found_for_those_outside_its_list_whatever_the_command() {
    let restricted = Conversation::from_history(&[started(vec![user(1)], Some(vec![user(1)]))]);
    let note = |actor: Actor| ConversationCommand::AddPrivateNote {
        actor,
        text: "a note".into(),
        note_id: id(20),
    };
    assert_eq!(
        decide_as(&restricted, agent(2), Policy::default(), note(agent(2))),
        Err(ConversationRejection::NotFound)
    );
    assert_eq!(
        decide_as(&restricted, admin(), Policy::default(), note(admin())),
        Err(ConversationRejection::NotFound),
        "an admin outside the list does not see it either"
    );
    assert!(decide_as(&restricted, agent(1), Policy::default(), note(agent(1))).is_ok());
    let owner = Actor {
        user_id: user(901),
        role: Role::Owner,
    };
    assert!(decide_as(&restricted, owner, Policy::default(), note(owner)).is_ok());
    let gateway = Actor {
        user_id: user(902),
        role: Role::Integration,
    };
    assert!(
        decide_as(
            &restricted,
            gateway,
            Policy::default(),
            inbound("still delivered")
        )
        .is_ok(),
        "the channel gateway delivers the customer's messages"
    );
}

#[test]
fn staff_reply_as_agents_and_integrations_as_the_bot_or_the_auto_reply_only() {
    let open = || given(&[started(vec![user(1)], None)]);
    let reply_as =
        |actor: Option<Actor>, kind: Option<SenderKind>| ConversationCommand::SendMessage {
            actor,
            sender_kind: kind,
            channel: None,
            content: MessageContent::text("hello"),
            snippet_id: None,
            message_id: id(30),
            now: now(),
        };
    let kind_of = |events: Vec<E>| {
        events
            .iter()
            .find_map(|event| match event {
                E::MessageSent { sender_kind, .. } => Some(*sender_kind),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no message in {events:?}"))
    };
    assert_eq!(
        kind_of(open().when(reply_as(Some(agent(1)), None)).unwrap()),
        SenderKind::Agent
    );
    assert_eq!(
        kind_of(open().when(reply_as(None, None)).unwrap()),
        SenderKind::Bot
    );
    assert_eq!(
        kind_of(
            open()
                .when(reply_as(None, Some(SenderKind::AutoReply)))
                .unwrap()
        ),
        SenderKind::AutoReply
    );
    assert_eq!(
        open().when(reply_as(Some(agent(1)), Some(SenderKind::Bot))),
        Err(ConversationRejection::SenderKindNotAllowed {
            role: Role::Agent,
            kind: SenderKind::Bot
        })
    );
    assert_eq!(
        open().when(reply_as(None, Some(SenderKind::Agent))),
        Err(ConversationRejection::SenderKindNotAllowed {
            role: Role::Integration,
            kind: SenderKind::Agent
        })
    );
}
