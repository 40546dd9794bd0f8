//! Commands racing on one conversation without `If-Match` all land — those in one
//! process take turns, those of two processes that lose the version race are decided
//! again — and lists page through everything with `limit` and `cursor`.

use std::collections::HashSet;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::services::ServiceProcess;
use caselog_testkit::stack::{Session, Stack};

#[tokio::test]
async fn racing_commands_without_if_match_all_land_and_lists_page_through_everything() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let mut conversations = Vec::new();
    for n in 0..5 {
        let contact = Uuid::now_v7();
        admin
            .put(
                &format!("/v1/contacts/{contact}"),
                json!({"name": format!("C{n}")}),
            )
            .await
            .ok();
        let reply = gateway
            .post(
                "/v1/inbound-messages",
                json!({"contact_id": contact, "channel": "sms", "text": "hi"}),
            )
            .await
            .ok();
        conversations.push(reply.body["stream_id"].as_str().unwrap().to_owned());
    }

    // 16 notes at once on one conversation, through two command services: a note that
    // decided against a version the other process has just moved past is decided
    // again rather than refused.
    let second = stack.another_command_service().await;
    let admin_elsewhere = admin.through(&second);
    let target = conversations[0].clone();
    let notes = futures::future::join_all((0..16).map(|n| {
        let admin = if n % 2 == 0 {
            admin.clone()
        } else {
            admin_elsewhere.clone()
        };
        let path = format!("/v1/conversations/{target}/notes");
        async move {
            admin
                .post(&path, json!({"text": format!("note {n}")}))
                .await
        }
    }))
    .await;
    let statuses: Vec<u16> = notes.iter().map(|reply| reply.status).collect();
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let versions: HashSet<i64> = notes
        .iter()
        .map(|reply| reply.body["stream_version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions.len(), 16, "each note has its own stream version");

    // The team inbox, two at a time.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/v1/inbox/team?limit=2".to_owned(),
            Some(cursor) => format!("/v1/inbox/team?limit=2&cursor={cursor}"),
        };
        let page = admin.get(&path).await.ok();
        assert!(page.items().len() <= 2);
        seen.extend(page.ids());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(
        (seen.len(), unique.len()),
        (5, 5),
        "every conversation once: {seen:?}"
    );
    // Newest activity first: the conversation with the notes leads.
    assert_eq!(seen[0], target);

    // The history, five entries at a time: started, received, 16 notes.
    let mut positions = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => format!("/v1/conversations/{target}/history?limit=5"),
            Some(cursor) => format!("/v1/conversations/{target}/history?limit=5&cursor={cursor}"),
        };
        let page = admin.get(&path).await.ok();
        positions.extend(
            page.items()
                .iter()
                .map(|entry| entry["position"].as_i64().unwrap()),
        );
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(positions.len(), 18);
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "in log order"
    );
    stack.stop().await;
}

/// A command service decides on the state it kept from its last command; another
/// process may have moved the conversation since. Its append then finds the stream
/// moved and it decides again on the stream as it stands, and a refusal made on the
/// kept state is checked against the stream before it is answered.
#[tokio::test]
async fn a_state_kept_hot_by_one_process_never_decides_what_another_has_changed() {
    let (stack, _second, admin, admin_elsewhere, _, conversation) = two_processes().await;
    let reply = |text: &'static str| {
        let admin = admin.clone();
        let path = format!("/v1/conversations/{conversation}/messages");
        async move { admin.post(&path, json!({ "text": text })).await }
    };
    reply("kept hot here").await.ok();

    // Closed elsewhere: a reply decided on the open state kept here must not land.
    admin_elsewhere
        .post(
            &format!("/v1/conversations/{conversation}/close"),
            json!({}),
        )
        .await
        .ok();
    let events = stack.log_length().await;
    let refused = reply("after the close").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.problem_type(), "caselog:rule");
    assert_eq!(stack.log_length().await, events, "nothing was appended");

    // Reopened elsewhere: the closed state kept here must not refuse the reply.
    admin_elsewhere
        .post(
            &format!("/v1/conversations/{conversation}/reopen"),
            json!({}),
        )
        .await
        .ok();
    let accepted = reply("after the reopening").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

/// A stream's data key kept hot by one process never seals an event after another
/// process erased the stream (destroying the key): the append conflicts, and the
/// erased state refuses the command.
#[tokio::test]
async fn a_data_key_kept_hot_by_one_process_never_seals_after_another_erased_the_stream() {
    let (stack, _second, admin, admin_elsewhere, contact, conversation) = two_processes().await;
    let path = format!("/v1/conversations/{conversation}/messages");
    // Sealed here: this process now keeps the conversation's key.
    admin
        .post(&path, json!({ "text": "kept hot here" }))
        .await
        .ok();

    admin_elsewhere
        .post(&format!("/v1/contacts/{contact}/erase"), json!({}))
        .await
        .ok();
    let events = stack.log_length().await;
    let refused = admin
        .post(&path, json!({ "text": "after the erasure" }))
        .await;
    assert!(
        (400..500).contains(&refused.status),
        "refused, not {}: {}",
        refused.status,
        refused.body
    );
    assert_eq!(
        stack.log_length().await,
        events,
        "nothing was sealed with the destroyed key"
    );
    stack.stop().await;
}

/// A stack with a second command service (kept running while its process handle
/// lives), an admin through each, and a conversation with a new contact.
async fn two_processes() -> (Stack, ServiceProcess, Session, Session, Uuid, String) {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let second = stack.another_command_service().await;
    let admin_elsewhere = admin.through(&second);
    let contact = admin.new_contact("Ada").await;
    let conversation = gateway.inbound(contact, "sms", "hello").await;
    (stack, second, admin, admin_elsewhere, contact, conversation)
}
