//! Property: for any sequence of commands on a case, the history replayed from the log
//! `as_of` a position equals the projected history as it stood when the projection had
//! reached that position, and the replay at the head equals the projection now.
//!
//! Each generated case drives the real services over HTTP; snapshots of the projected
//! history are taken after every command (waiting for that command's position).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

#[derive(Debug, Clone)]
enum Step {
    Inbound(String),
    Reply(String),
    Note(String),
    Internal(String),
    Assign(usize),
    Unassign,
    Restrict,
    Resolve,
    Reopen,
    Topic(String),
    Read,
}

fn text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "olá",
            "Καλημέρα",
            "Привет",
            "สวัสดี",
            "你好",
            "hello 👋",
        ]),
        any::<u16>(),
    )
        .prop_map(|(words, n)| format!("{words} {n}"))
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => text().prop_map(Step::Inbound),
        2 => text().prop_map(Step::Reply),
        1 => text().prop_map(Step::Note),
        1 => text().prop_map(Step::Internal),
        1 => (0usize..2).prop_map(Step::Assign),
        1 => Just(Step::Unassign),
        1 => Just(Step::Restrict),
        1 => Just(Step::Resolve),
        1 => Just(Step::Reopen),
        1 => text().prop_map(Step::Topic),
        1 => Just(Step::Read),
    ]
}

struct Team {
    admin: Session,
    /// Reads every case whatever its visibility.
    auditor: Session,
    agents: [Session; 2],
    gateway: Session,
}

async fn team(stack: &Stack) -> Team {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agents = [
        stack.session(tenant, Uuid::now_v7(), Role::Agent),
        stack.session(tenant, Uuid::now_v7(), Role::Agent),
    ];
    for (session, role) in [
        (&admin, "admin"),
        (&agents[0], "agent"),
        (&agents[1], "agent"),
    ] {
        admin.register(session, role).await;
    }
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    Team {
        auditor: stack.session(tenant, Uuid::now_v7(), Role::Auditor),
        admin,
        agents,
        gateway,
    }
}

/// Runs one command; a domain refusal (4xx) is part of the game, a 5xx is not.
async fn run(team: &Team, contact: Uuid, conversation: &str, step: &Step) -> u16 {
    let path = |tail: &str| format!("/v1/conversations/{conversation}{tail}");
    let admin = &team.admin;
    let reply = match step {
        Step::Inbound(text) => {
            team.gateway
                .post(
                    "/v1/inbound-messages",
                    json!({"contact_id": contact, "channel": "whatsapp", "text": text}),
                )
                .await
        }
        Step::Reply(text) => {
            team.agents[0]
                .post(&path("/messages"), json!({"text": text}))
                .await
        }
        Step::Note(text) => admin.post(&path("/notes"), json!({"text": text})).await,
        Step::Internal(text) => {
            admin
                .post(
                    &path("/internal-messages"),
                    json!({"to": team.agents[1].user, "text": text}),
                )
                .await
        }
        Step::Assign(agent) => {
            admin
                .post(
                    &path("/assign"),
                    json!({"assignees": [team.agents[*agent].user]}),
                )
                .await
        }
        Step::Unassign => admin.post(&path("/assign"), json!({"assignees": []})).await,
        Step::Restrict => {
            admin
                .post(
                    &path("/visibility"),
                    json!({"visible_to": [team.agents[0].user, team.agents[1].user]}),
                )
                .await
        }
        Step::Resolve => admin.post(&path("/resolve"), json!({})).await,
        Step::Reopen => admin.post(&path("/reopen"), json!({})).await,
        Step::Topic(topic) => admin.post(&path("/topic"), json!({"topic": topic})).await,
        Step::Read => team.agents[1].post(&path("/read"), json!({})).await,
    };
    assert!(
        reply.status < 500,
        "{step:?}: {} {}",
        reply.status,
        reply.body
    );
    reply.status
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn check_case(stack: &Stack, team: &Team, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let contact = team.admin.new_contact("Property").await;
    let conversation = team.gateway.inbound(contact, "sms", "first").await;
    let history = format!("/v1/conversations/{conversation}/history?limit=200");
    let mut snapshots = vec![(
        team.gateway.newest_position(),
        items(&team.auditor.get(&history).await.ok().body),
    )];
    for step in &steps {
        run(team, contact, &conversation, step).await;
        // Every session shares the stack's newest position: wait for this command.
        let position = team.admin.newest_position();
        let projected = items(&team.auditor.get(&history).await.ok().body);
        snapshots.push((position, projected));
    }
    let _ = stack;
    for (position, projected) in &snapshots {
        let replayed = team
            .auditor
            .get(&format!("{history}&as_of={position}"))
            .await
            .ok();
        prop_assert_eq!(&items(&replayed.body), projected, "as_of={}", position);
    }
    let (_, now) = snapshots.last().expect("at least the first snapshot");
    let head = items(
        &team
            .auditor
            .get(&format!("{history}&as_of={}", i64::MAX))
            .await
            .ok()
            .body,
    );
    prop_assert_eq!(&head, now, "the replay at the head equals the projection");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_as_of_any_position_equals_the_projection_as_it_stood_then() {
    let stack = Stack::start().await;
    let team = team(&stack).await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        max_shrink_iters: 20,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&prop::collection::vec(step(), 1..12), |steps| {
            handle.block_on(check_case(&stack, &team, steps))
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    stack.stop().await;
}
