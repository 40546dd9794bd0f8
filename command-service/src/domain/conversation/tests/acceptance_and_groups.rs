//! Acceptance (when the tenant requires it) and the conversation's group: who may do
//! what before accepting, what rejecting does, and who may be assigned.

use super::*;

const REQUIRED: Policy = Policy {
    require_accept: true,
};

/// Assigned to agent 1, in group 2, resolved when `resolved`.
fn offered_to_agent_1(resolved: bool) -> Vec<E> {
    let mut history = vec![started(vec![user(1)], None)];
    if resolved {
        history.push(E::ConversationResolved {});
    }
    history
}

fn assign(actor: Actor, assignees: &[u128], groups: &[(u128, u128)]) -> ConversationCommand {
    ConversationCommand::AssignConversation {
        actor,
        assignees: assignees.iter().map(|n| user(*n)).collect(),
        assignee_groups: groups
            .iter()
            .map(|(n, group)| (user(*n), vec![id(*group)]))
            .collect(),
    }
}

fn accept(actor: Actor, groups: &[u128]) -> ConversationCommand {
    ConversationCommand::AcceptConversation {
        actor,
        groups: groups.iter().map(|n| id(*n)).collect(),
    }
}

/// Everything an assignee does to the conversation itself, as agent 1.
fn assignee_actions() -> Vec<(bool, ConversationCommand)> {
    let me = agent(1);
    vec![
        (false, reply(me)),
        (
            false,
            ConversationCommand::ResolveConversation { actor: me },
        ),
        (false, ConversationCommand::CloseConversation { actor: me }),
        (true, ConversationCommand::ReopenConversation { actor: me }),
        (false, ConversationCommand::LeaveConversation { actor: me }),
        (false, assign(me, &[3], &[(3, 2)])),
        (
            false,
            ConversationCommand::SetVisibility {
                actor: me,
                visible_to: Some(vec![user(1)]),
            },
        ),
    ]
}

#[test]
fn with_acceptance_required_an_assignee_does_nothing_to_the_conversation_before_accepting() {
    for (resolved, command) in assignee_actions() {
        let history = offered_to_agent_1(resolved);
        assert_eq!(
            given(&history).when_as(agent(1), REQUIRED, command.clone()),
            Err(ConversationRejection::NotAccepted),
            "{command:?}"
        );
        let mut accepted = history.clone();
        accepted.push(E::ConversationAccepted { user: user(1) });
        assert!(
            given(&accepted)
                .when_as(agent(1), REQUIRED, command.clone())
                .is_ok(),
            "{command:?} after accepting"
        );
        assert!(
            given(&history)
                .when_as(agent(1), Policy::default(), command.clone())
                .is_ok(),
            "{command:?} when acceptance is not required"
        );
    }
}

#[test]
fn before_accepting_an_agent_may_still_accept_reject_read_note_and_message_the_team() {
    let history = offered_to_agent_1(false);
    let me = agent(1);
    let allowed = [
        ConversationCommand::RejectConversation { actor: me },
        ConversationCommand::MarkConversationRead { actor: me },
        ConversationCommand::AddPrivateNote {
            actor: me,
            text: "checking with finance".into(),
            note_id: id(30),
        },
        ConversationCommand::SendInternalMessage {
            actor: me,
            to: user(900),
            text: "can you take this one?".into(),
            in_reply_to: None,
            internal_message_id: id(31),
        },
        accept(me, &[2]),
    ];
    for command in allowed {
        assert!(
            given(&history)
                .when_as(me, REQUIRED, command.clone())
                .is_ok(),
            "{command:?}"
        );
    }
}

#[test]
fn an_admin_is_never_held_back_by_acceptance() {
    let history = offered_to_agent_1(false);
    let command = ConversationCommand::ResolveConversation { actor: admin() };
    assert_eq!(
        given(&history).when_as(admin(), REQUIRED, command),
        Ok(vec![E::ConversationResolved {}])
    );
}

#[test]
fn rejecting_returns_the_conversation_to_its_group_queue() {
    let history = offered_to_agent_1(false);
    let events = given(&history)
        .when_as(
            agent(1),
            REQUIRED,
            ConversationCommand::RejectConversation { actor: agent(1) },
        )
        .unwrap();
    assert_eq!(events, vec![E::ConversationRejected { user: user(1) }]);
    let after = Conversation::from_history(history.iter().chain(&events));
    assert!(after.assignees.is_empty(), "unassigned: back in the queue");
    assert_eq!(after.group_id, Some(id(2)));
}

#[test]
fn in_a_groups_conversation_only_members_are_assigned_unless_an_admin_widens_it() {
    let history = [started(vec![user(1)], None)];
    // User 3 belongs to group 4, not to the conversation's group 2.
    assert_eq!(
        given(&history).when(assign(agent(1), &[1, 3], &[(1, 2), (3, 4)])),
        Err(ConversationRejection::OutsideGroup {
            user: user(3),
            group: id(2)
        })
    );
    assert_eq!(
        given(&history).when(assign(agent(1), &[4], &[])),
        Err(ConversationRejection::OutsideGroup {
            user: user(4),
            group: id(2)
        }),
        "a user in no group"
    );
    assert!(
        given(&history)
            .when(assign(admin(), &[1, 3], &[(1, 2), (3, 4)]))
            .is_ok()
    );
    assert!(
        given(&history)
            .when(assign(agent(1), &[1, 5], &[(1, 2), (5, 2)]))
            .is_ok()
    );
}

#[test]
fn someone_an_admin_assigned_from_outside_the_group_stays_through_a_transfer() {
    let history = [
        started(vec![user(1)], None),
        E::ConversationAssigned {
            assignees: vec![user(1), user(3)],
            previous_assignees: vec![user(1)],
            automatic: false,
        },
    ];
    assert!(
        given(&history)
            .when(assign(agent(1), &[3, 5], &[(3, 4), (5, 2)]))
            .is_ok()
    );
}

#[test]
fn a_conversation_without_a_group_takes_any_user() {
    let ungrouped = [E::ConversationStarted {
        contact_id: id(1),
        group_id: None,
        channel: Channel::Webchat,
        started_by: StartedBy::InboundMessage,
        assignees: vec![],
        visible_to: None,
    }];
    assert!(given(&ungrouped).when(assign(agent(1), &[3], &[])).is_ok());
    assert!(given(&ungrouped).when(accept(agent(3), &[])).is_ok());
}

#[test]
fn an_offered_chat_is_accepted_by_a_member_of_its_group_or_by_its_assignee() {
    let history = [started(vec![user(1)], None)];
    assert_eq!(
        given(&history).when(accept(agent(3), &[4])),
        Err(ConversationRejection::OutsideGroup {
            user: user(3),
            group: id(2)
        })
    );
    assert!(given(&history).when(accept(agent(3), &[2, 4])).is_ok());
    assert!(given(&history).when(accept(admin(), &[])).is_ok());
    // The assignee accepts whatever their groups: someone put them there.
    assert_eq!(
        given(&history).when(accept(agent(1), &[])),
        Ok(vec![E::ConversationAccepted { user: user(1) }])
    );
}
