//! The live streams a front end keeps open: the inbox's changes for the conversations
//! I may see in my groups, and the chat's new messages and notifications for me; a
//! dropped connection resumes with `Last-Event-ID` and misses nothing.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::sse::EventStream;
use caselog_testkit::stack::{Session, Stack};

/// The next `conversation` event of `stream` about `conversation`, skipping others.
async fn change_of(stream: &mut EventStream, conversation: &str) -> (i64, serde_json::Value) {
    loop {
        let event = stream.next().await;
        assert_eq!(event.event, "conversation");
        if event.data["id"] == conversation {
            return (event.id.unwrap(), event.data);
        }
    }
}

async fn user_in(admin: &Session, user: &Session, group: Uuid) {
    admin
        .put(
            &format!("/v1/users/{}", user.user),
            json!({"name": "U", "email": format!("{}@example.com", user.user),
                   "role": "agent", "groups": [group]}),
        )
        .await
        .ok();
}

async fn contact_in(admin: &Session, name: &str, group: Uuid) -> Uuid {
    let contact = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/contacts/{contact}"),
            json!({"name": name, "group_id": group}),
        )
        .await
        .ok();
    contact
}

#[tokio::test]
async fn the_inbox_stream_sends_my_groups_changes_and_resumes_after_the_last_event() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let ana = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let (support, billing) = (Uuid::now_v7(), Uuid::now_v7());
    for group in [support, billing] {
        admin
            .put(&format!("/v1/groups/{group}"), json!({"name": "G"}))
            .await
            .ok();
    }
    user_in(&admin, &ana, support).await;
    user_in(&admin, &bruno, billing).await;
    let maria = contact_in(&admin, "Maria", support).await;
    let joao = contact_in(&admin, "João", billing).await;
    // Settled: the streams start after everything so far.
    ana.get("/v1/inbox/team").await.ok();
    let mut anas = ana.subscribe("/v1/inbox/stream", None).await;
    let mut brunos = bruno.subscribe("/v1/inbox/stream", None).await;

    let marias = gateway.inbound(maria, "whatsapp", "olá").await;
    let joaos = gateway.inbound(joao, "sms", "oi").await;
    let first = anas.next().await;
    assert_eq!(
        first.data["id"],
        marias.as_str(),
        "Support's, not Billing's"
    );
    assert_eq!(first.data["unreplied_count"], 1);
    let first_id = first.id.unwrap();
    let brunos_first = brunos.next().await;
    assert_eq!(brunos_first.data["id"], joaos.as_str());

    admin
        .post(
            &format!("/v1/conversations/{marias}/assign"),
            json!({"assignees": [ana.user]}),
        )
        .await
        .ok();
    let (assigned_at, assigned) = change_of(&mut anas, &marias).await;
    assert_eq!(assigned["assignees"], json!([ana.user]));
    assert!(assigned_at > first_id);
    drop(anas);

    // Reconnecting after the first event, Ana gets what came after it again.
    let mut resumed = ana.subscribe("/v1/inbox/stream", Some(first_id)).await;
    let (again_at, again) = change_of(&mut resumed, &marias).await;
    assert_eq!(again_at, assigned_at);
    assert_eq!(again["assignees"], json!([ana.user]));
    assert!(
        resumed
            .next_within(Duration::from_millis(500))
            .await
            .is_none(),
        "João's stays Billing's"
    );
}

#[tokio::test]
async fn the_chat_stream_sends_what_i_may_read_and_my_notifications() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let ana = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let rui = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    for user in [&admin, &ana, &rui] {
        admin.register(user, "agent").await;
    }
    let general = admin.new_channel("general", "public", &[rui.user]).await;
    let secret = admin.new_channel("finance", "private", &[rui.user]).await;
    ana.get("/v1/chat/channels").await.ok();
    let mut stream = ana.subscribe("/v1/chat/stream", None).await;

    admin.say(&secret, "salaries").await.ok();
    rui.post(
        &format!("/v1/chat/channels/{general}/messages"),
        json!({"text": format!("@{} can you look?", ana.user)}),
    )
    .await
    .ok();
    let message = stream.next().await;
    assert_eq!(message.event, "message", "{:?}", message.data);
    assert_eq!(
        message.data["channel_id"],
        general.as_str(),
        "not the private one"
    );
    assert!(
        message.data["content"]["text"]
            .as_str()
            .unwrap()
            .contains("look")
    );
    let notification = stream.next().await;
    assert_eq!(notification.event, "notification");
    assert_eq!(notification.data["notification"], "mention");
    assert_eq!(notification.id, message.id);

    drop(stream);
    let mut resumed = ana
        .subscribe("/v1/chat/stream", Some(message.id.unwrap() - 1))
        .await;
    assert_eq!(resumed.next().await.event, "message");
    assert_eq!(resumed.next().await.event, "notification");
}
