//! Replies beyond text (attachments, a voice message), a transfer from one agent to
//! another, and a conversation with two assignees.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

fn entries_of<'a>(history: &'a [Value], kind: &str) -> Vec<&'a Value> {
    history
        .iter()
        .filter(|entry| entry["kind"] == kind)
        .collect()
}

async fn mine(session: &Session) -> Vec<String> {
    session.get("/v1/inbox/mine").await.ok().ids()
}

#[tokio::test]
async fn attachments_voice_transfer_and_two_assignees_work_end_to_end() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let carla = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&bruno, "agent").await;
    admin.register(&carla, "agent").await;
    let case = gateway
        .inbound(admin.new_contact("Maria").await, "whatsapp", "the invoice?")
        .await;
    let path = |action: &str| format!("/v1/conversations/{case}/{action}");

    // A reply with only an attachment, then one with only a voice message.
    bruno
        .post(
            &path("messages"),
            json!({"attachments": [{"name": "factura-7.pdf", "media_type": "application/pdf",
                                    "size_bytes": 48213, "url": "https://files.example/f7"}]}),
        )
        .await
        .ok();
    bruno
        .post(
            &path("messages"),
            json!({"voice": {"url": "https://files.example/v1.ogg", "media_type": "audio/ogg",
                             "duration_seconds": 14}}),
        )
        .await
        .ok();
    let history = bruno.get(&path("history")).await.ok().items().clone();
    let sent = entries_of(&history, "message_sent");
    assert_eq!(sent.len(), 2, "{history:?}");
    let attached = serde_json::to_string(sent[0]).unwrap();
    assert!(attached.contains("factura-7.pdf"), "{attached}");
    let spoken = serde_json::to_string(sent[1]).unwrap();
    assert!(
        spoken.contains("audio/ogg") && spoken.contains("14"),
        "{spoken}"
    );
    let found = bruno.get("/v1/inbox/team?q=factura-7").await.ok().ids();
    assert_eq!(
        found,
        vec![case.clone()],
        "an attachment's name is searchable"
    );
    let empty = bruno.post(&path("messages"), json!({})).await;
    assert_eq!(empty.status, 422, "{}", empty.body);

    // The first reply made it Bruno's; he transfers it to Carla.
    assert_eq!(mine(&bruno).await, vec![case.clone()]);
    bruno
        .post(&path("assign"), json!({"assignees": [carla.user]}))
        .await
        .ok();
    assert!(mine(&bruno).await.is_empty());
    assert_eq!(mine(&carla).await, vec![case.clone()]);
    let history = carla.get(&path("history")).await.ok().items().clone();
    let transfer = entries_of(&history, "conversation_assigned")
        .last()
        .copied()
        .unwrap()
        .clone();
    assert_eq!(transfer["data"]["previous_assignees"], json!([bruno.user]));
    assert_eq!(transfer["data"]["assignees"], json!([carla.user]));

    // Two assignees: it is in both inboxes and counts for both; either resolves it.
    carla
        .post(
            &path("assign"),
            json!({"assignees": [carla.user, bruno.user]}),
        )
        .await
        .ok();
    for agent in [&bruno, &carla] {
        assert_eq!(mine(agent).await, vec![case.clone()]);
        let dashboard = agent.get("/v1/dashboard").await.ok().body;
        assert_eq!(dashboard["mine"]["assigned"], 1, "{dashboard}");
    }
    bruno.post(&path("resolve"), json!({})).await.ok();
    let summary = carla.get(&format!("/v1/conversations/{case}")).await.ok();
    assert_eq!(summary.body["status"], "resolved");
    assert_eq!(summary.body["assignees"], json!([carla.user, bruno.user]));
}
