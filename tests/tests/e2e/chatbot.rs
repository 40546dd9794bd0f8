//! The channel's chatbot over HTTP: it answers first, a person disables it before
//! replying, its hand-off gives the conversation to the team, and the customer's
//! messages stay unreplied until a person answers them.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

#[tokio::test]
async fn the_bot_answers_until_a_person_disables_it_or_it_hands_off() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let bot = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&bruno, "agent").await;
    let maria = admin.new_contact("Maria").await;
    let case = bot.inbound(maria, "webchat", "where is my order?").await;
    let path = |action: &str| format!("/v1/conversations/{case}/{action}");
    let bot_says = |text: &'static str| {
        let (bot, path) = (bot.clone(), path("messages"));
        async move {
            bot.post(&path, json!({"text": text, "sender_kind": "bot"}))
                .await
        }
    };
    bot_says("Let me look that up").await.ok();
    bot.inbound(maria, "webchat", "a person, please").await;
    let summary = bruno.get(&format!("/v1/conversations/{case}")).await.ok();
    assert_eq!(summary.body["bot_active"], true);
    assert_eq!(
        summary.body["unreplied_count"], 2,
        "the bot's answer leaves both messages waiting for a person"
    );

    let refused = bruno.post(&path("messages"), json!({"text": "Olá!"})).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.problem_type(), "caselog:rule");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("bot/disable")
    );

    bruno.post(&path("bot/disable"), json!({})).await.ok();
    bruno
        .post(&path("messages"), json!({"text": "Olá, sou o Bruno"}))
        .await
        .ok();
    let quiet = bot_says("anything else?").await;
    assert_eq!(
        quiet.status, 422,
        "a disabled bot stays quiet: {}",
        quiet.body
    );
    let summary = bruno.get(&format!("/v1/conversations/{case}")).await.ok();
    assert_eq!(summary.body["bot_active"], false);
    assert_eq!(summary.body["unreplied_count"], 0);

    // Handed back to the bot, it answers again; its hand-off switches it off.
    bruno.post(&path("bot/enable"), json!({})).await.ok();
    bot_says("Back to me").await.ok();
    bot.inbound(maria, "webchat", "I want a refund").await;
    bot.post(&path("handoff"), json!({"reason": "refund"}))
        .await
        .ok();
    let summary = bruno.get(&format!("/v1/conversations/{case}")).await.ok();
    assert_eq!(summary.body["bot_active"], false);
    assert_eq!(
        summary.body["unreplied_count"], 1,
        "transferred from the bot, the refund question waits for a person"
    );
    let waiting = admin.get("/v1/queue").await.ok();
    assert_eq!(waiting.ids(), vec![case.clone()]);
    let history = bruno.get(&path("history")).await.ok();
    let kinds: Vec<_> = history
        .items()
        .iter()
        .map(|entry| entry["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["bot_enabled", "bot_disabled", "handed_off_to_human"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} in {kinds:?}");
    }
    bruno
        .post(&path("messages"), json!({"text": "Claro"}))
        .await
        .ok();
}
