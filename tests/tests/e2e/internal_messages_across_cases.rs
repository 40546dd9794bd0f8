//! Internal messages where an agent works: each inbox row and conversation says how
//! many internal messages to me are unread there, and `GET /v1/internal-messages`
//! lists mine across cases.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

fn unread_internal(inbox: &[Value], conversation: &str) -> i64 {
    inbox
        .iter()
        .find(|row| row["id"] == conversation)
        .map_or_else(
            || panic!("{conversation} not in {inbox:?}"),
            |row| row["unread_internal"].as_i64().unwrap(),
        )
}

async fn ask(from: &Session, conversation: &str, to: Uuid, text: &str) -> String {
    from.post(
        &format!("/v1/conversations/{conversation}/internal-messages"),
        json!({"to": to, "text": text}),
    )
    .await
    .ok()
    .field("id")
}

/// An admin, two agents (Ana and Bruno) and the channel gateway of a new tenant.
async fn team(stack: &Stack) -> [Session; 4] {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let ana = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&ana, "agent").await;
    admin.register(&bruno, "agent").await;
    [admin, ana, bruno, gateway]
}

#[tokio::test]
async fn unread_internal_messages_show_on_the_inbox_rows_and_in_one_list_across_cases() {
    let stack = Stack::start().await;
    let [admin, ana, bruno, gateway] = team(&stack).await;
    let first = gateway
        .inbound(admin.new_contact("Maria").await, "sms", "olá")
        .await;
    let second = gateway
        .inbound(admin.new_contact("João").await, "sms", "oi")
        .await;

    let about_first = ask(&ana, &first, bruno.user, "is this the refund?").await;
    ask(&ana, &second, bruno.user, "and this one?").await;
    ask(&ana, &second, ana.user, "note to self").await;
    let inbox = bruno.get("/v1/inbox/team").await.ok().items().clone();
    assert_eq!(unread_internal(&inbox, &first), 1);
    assert_eq!(unread_internal(&inbox, &second), 1);
    let inbox = ana.get("/v1/inbox/team").await.ok().items().clone();
    assert_eq!(
        unread_internal(&inbox, &second),
        0,
        "a note to oneself waits for nobody"
    );

    let unread = bruno.get("/v1/internal-messages?unread=true").await.ok();
    let conversations: Vec<_> = unread
        .items()
        .iter()
        .map(|item| item["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        conversations,
        [second.as_str(), first.as_str()],
        "newest first"
    );
    assert_eq!(unread.items()[1]["text"], "is this the refund?");

    bruno
        .post(
            &format!("/v1/conversations/{first}/internal-messages/{about_first}/read"),
            json!({}),
        )
        .await
        .ok();
    let unread = bruno.get("/v1/internal-messages?unread=true").await.ok();
    assert_eq!(unread.items().len(), 1);
    let detail = bruno.get(&format!("/v1/conversations/{first}")).await.ok();
    assert_eq!(detail.body["unread_internal"], 0);
    let detail = bruno.get(&format!("/v1/conversations/{second}")).await.ok();
    assert_eq!(detail.body["unread_internal"], 1);

    // Everything Ana sent or received, a page at a time.
    let page = ana.get("/v1/internal-messages?limit=2").await.ok();
    assert_eq!(page.items().len(), 2);
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = ana
        .get(&format!("/v1/internal-messages?limit=2&cursor={cursor}"))
        .await
        .ok();
    assert_eq!(rest.items().len(), 1);

    // Restricted to Ana, the second conversation's messages leave Bruno's list.
    admin
        .post(
            &format!("/v1/conversations/{second}/visibility"),
            json!({"visible_to": [ana.user]}),
        )
        .await
        .ok();
    let all = bruno.get("/v1/internal-messages").await.ok();
    let conversations: Vec<_> = all
        .items()
        .iter()
        .map(|item| item["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(conversations, [first.as_str()]);
}

#[tokio::test]
async fn an_admin_deletes_an_internal_thread_and_the_history_says_who() {
    let stack = Stack::start().await;
    let [admin, ana, bruno, gateway] = team(&stack).await;
    let case = gateway
        .inbound(admin.new_contact("Maria").await, "sms", "olá")
        .await;
    let question = ask(&ana, &case, bruno.user, "who handles refunds?").await;
    bruno
        .post(
            &format!("/v1/conversations/{case}/internal-messages"),
            json!({"to": ana.user, "text": "finance does", "in_reply_to": question}),
        )
        .await
        .ok();
    let other = ask(&ana, &case, bruno.user, "lunch?").await;
    let thread = format!("/v1/conversations/{case}/internal-messages/{question}");

    let refused = ana.delete(&thread).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    admin.delete(&thread).await.ok();
    let again = admin.delete(&thread).await;
    assert_eq!(again.status, 404, "{}", again.body);

    let left = bruno
        .get(&format!("/v1/conversations/{case}/internal-messages"))
        .await
        .ok();
    assert_eq!(left.ids(), vec![other]);
    let detail = bruno.get(&format!("/v1/conversations/{case}")).await.ok();
    assert_eq!(
        detail.body["unread_internal"], 1,
        "only the other one waits"
    );
    let history = ana
        .get(&format!("/v1/conversations/{case}/history"))
        .await
        .ok();
    let deletion = history
        .items()
        .iter()
        .find(|entry| entry["kind"] == "internal_thread_deleted")
        .unwrap()
        .clone();
    assert_eq!(deletion["actor"]["user_id"], json!(admin.user));
    assert_eq!(deletion["data"]["message_ids"].as_array().unwrap().len(), 2);
}
