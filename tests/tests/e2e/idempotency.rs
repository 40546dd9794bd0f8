//! `Idempotency-Key`: a replay is the first answer byte for byte; the same key with
//! another request, from another caller, or in caselog's own namespace is refused; a
//! replay tells nobody about a conversation they may not see.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

/// Sends `body` to `path` with `key`; returns status, raw body bytes.
async fn keyed(
    stack: &Stack,
    session: &Session,
    path: &str,
    key: &str,
    body: serde_json::Value,
) -> (u16, Vec<u8>) {
    let response = stack
        .http
        .post(format!("{}{path}", stack.command.base_url))
        .bearer_auth(&session.token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_replay_is_the_first_answer_byte_for_byte_and_another_request_is_refused() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let other_admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Maria").await;
    let case = gateway.inbound(contact, "sms", "hello").await;
    let notes = format!("/v1/conversations/{case}/notes");
    let before = stack.log_length().await;

    let first = keyed(&stack, &admin, &notes, "note-1", json!({"text": "once"})).await;
    let again = keyed(&stack, &admin, &notes, "note-1", json!({"text": "once"})).await;
    assert_eq!(first.0, 200);
    assert_eq!(
        first, again,
        "status and body, the note's id included, are the same bytes"
    );
    let body: serde_json::Value = serde_json::from_slice(&first.1).unwrap();
    assert!(body["id"].is_string(), "{body}");
    assert_eq!(stack.log_length().await, before + 1, "one note");

    // The same key with another body, or from another user, is refused and appends nothing.
    let changed = keyed(&stack, &admin, &notes, "note-1", json!({"text": "twice"})).await;
    assert_eq!(changed.0, 422, "{}", String::from_utf8_lossy(&changed.1));
    let stolen = keyed(
        &stack,
        &other_admin,
        &notes,
        "note-1",
        json!({"text": "once"}),
    )
    .await;
    assert_eq!(stolen.0, 422, "{}", String::from_utf8_lossy(&stolen.1));
    assert_eq!(stack.log_length().await, before + 1);

    // caselog's own keys (the auto-close worker's) cannot be taken.
    let system = keyed(
        &stack,
        &admin,
        &notes,
        "caselog:auto-close:x:1",
        json!({"text": "x"}),
    )
    .await;
    assert_eq!(system.0, 422);

    // A customer's message replayed after its conversation closed answers where it
    // landed, not a new conversation.
    let inbound = json!({"contact_id": contact, "channel": "sms", "text": "are you there?"});
    let landed = keyed(
        &stack,
        &gateway,
        "/v1/inbound-messages",
        "sms-42",
        inbound.clone(),
    )
    .await;
    admin
        .post(&format!("/v1/conversations/{case}/resolve"), json!({}))
        .await
        .ok();
    admin
        .post(&format!("/v1/conversations/{case}/close"), json!({}))
        .await
        .ok();
    let replayed = keyed(&stack, &gateway, "/v1/inbound-messages", "sms-42", inbound).await;
    assert_eq!(landed, replayed);
    stack.stop().await;
}

#[tokio::test]
async fn a_replay_says_nothing_of_a_conversation_the_caller_may_no_longer_see() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let owner = stack.session(tenant, Uuid::now_v7(), Role::Owner);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    owner.register(&owner, "owner").await;
    owner.register(&agent, "agent").await;
    let contact = owner.new_contact("Private").await;
    let case = gateway.inbound(contact, "sms", "hello").await;
    let notes = format!("/v1/conversations/{case}/notes");

    let first = keyed(&stack, &agent, &notes, "mine", json!({"text": "a note"})).await;
    assert_eq!(first.0, 200);
    owner
        .post(
            &format!("/v1/conversations/{case}/visibility"),
            json!({"visible_to": [owner.user]}),
        )
        .await
        .ok();
    let replay = keyed(&stack, &agent, &notes, "mine", json!({"text": "a note"})).await;
    assert_eq!(replay.0, 404, "{}", String::from_utf8_lossy(&replay.1));
    stack.stop().await;
}
