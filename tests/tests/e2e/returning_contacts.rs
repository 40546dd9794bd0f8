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
