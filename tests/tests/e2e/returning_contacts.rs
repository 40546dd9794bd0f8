//! A contact who comes back: a reopened conversation takes their next messages, and a
//! closed one is followed by a new conversation each time.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

async fn writes(gateway: &Session, contact: Uuid, text: &str) -> (u16, String) {
    let reply = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "whatsapp", "text": text}),
        )
        .await
        .ok();
    (reply.status, reply.field("stream_id"))
}

#[tokio::test]
async fn a_reopened_conversation_takes_the_contacts_next_messages() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let maria = admin.new_contact("Maria").await;
    let close = |conversation: String| {
        let admin = admin.clone();
        async move {
            admin
                .post(
                    &format!("/v1/conversations/{conversation}/close"),
                    json!({}),
                )
                .await
                .ok();
        }
    };

    let (status, first) = writes(&gateway, maria, "a minha encomenda").await;
    assert_eq!(status, 201);
    close(first.clone()).await;
    let (status, second) = writes(&gateway, maria, "outra pergunta").await;
    assert_eq!(status, 201, "after the close, a new conversation");
    assert_ne!(second, first);

    // Reopened, the first conversation takes Maria's next message, not the newer one.
    admin
        .post(&format!("/v1/conversations/{first}/reopen"), json!({}))
        .await
        .ok();
    let (status, routed) = writes(&gateway, maria, "sobre a encomenda outra vez").await;
    assert_eq!((status, routed.as_str()), (200, first.as_str()));

    // Closed again, it is followed by a conversation of its own, neither earlier one.
    close(first.clone()).await;
    close(second.clone()).await;
    let (status, third) = writes(&gateway, maria, "e agora?").await;
    assert_eq!(status, 201);
    assert!(third != first && third != second, "{third}");
    let (status, again) = writes(&gateway, maria, "olá?").await;
    assert_eq!((status, again), (200, third));
}

#[tokio::test]
async fn the_agent_who_handled_a_returning_contact_is_named_and_told_first() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let carla = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&bruno, "agent").await;
    admin.register(&carla, "agent").await;
    let maria = admin.new_contact("Maria").await;
    let (_, first) = writes(&gateway, maria, "olá").await;
    bruno
        .post(
            &format!("/v1/conversations/{first}/messages"),
            json!({"text": "Olá Maria, resolvido!"}),
        )
        .await
        .ok();
    admin
        .post(&format!("/v1/conversations/{first}/close"), json!({}))
        .await
        .ok();

    let (status, second) = writes(&gateway, maria, "voltei").await;
    assert_eq!(status, 201);
    let summary = carla.get(&format!("/v1/conversations/{second}")).await.ok();
    assert_eq!(summary.body["previous_conversation_id"], first.as_str());
    assert_eq!(summary.body["previous_agent"], json!(bruno.user));
    let bell = bruno.get("/v1/chat/notifications?unread=true").await.ok();
    assert_eq!(bell.items().len(), 1, "{}", bell.body);
    let told = &bell.items()[0];
    assert_eq!(told["kind"], "returning_contact");
    assert_eq!(told["conversation_id"], second.as_str());
    assert_eq!(told["channel_id"], serde_json::Value::Null);
    assert!(
        carla
            .get("/v1/chat/notifications")
            .await
            .ok()
            .items()
            .is_empty(),
        "only the agent who handled Maria"
    );
    bruno
        .post(
            "/v1/chat/notifications/read",
            json!({"ids": [second.clone()]}),
        )
        .await
        .ok();
    let unread = bruno.get("/v1/chat/notifications?unread=true").await.ok();
    assert!(unread.items().is_empty());
}
