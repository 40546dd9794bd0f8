//! Every dashboard tile opens a list, and its count is that list's: the length, or for
//! the unreplied messages the sum of the listed conversations' unreplied counts. The
//! waiting queue shows the same customers, oldest waiting first.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

/// Every item of a list, following its cursor.
async fn all(session: &Session, path: &str) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_path = match &cursor {
            None => format!("{path}{separator}limit=2"),
            Some(cursor) => format!("{path}{separator}limit=2&cursor={cursor}"),
        };
        let page = session.get(&page_path).await.ok();
        items.extend(page.items().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn unreplied(items: &[Value]) -> i64 {
    items
        .iter()
        .map(|item| item["unreplied_count"].as_i64().unwrap())
        .sum()
}

/// A support day's worth of states: unassigned, assigned to Bruno and answered or
/// not, resolved, closed.
async fn a_busy_inbox(admin: &Session, bruno: &Session, gateway: &Session) {
    let mut conversations = Vec::new();
    for n in 0..7 {
        let contact = admin.new_contact(&format!("Contact {n}")).await;
        let conversation = gateway.inbound(contact, "sms", "hello").await;
        if n % 2 == 0 {
            gateway.inbound(contact, "sms", "anyone?").await;
        }
        conversations.push(conversation);
    }
    let path = |n: usize, action: &str| format!("/v1/conversations/{}/{action}", conversations[n]);
    for n in [1, 2, 3, 4] {
        admin
            .post(&path(n, "assign"), json!({"assignees": [bruno.user]}))
            .await
            .ok();
    }
    bruno
        .post(&path(2, "messages"), json!({"text": "on it"}))
        .await
        .ok();
    bruno.post(&path(3, "resolve"), json!({})).await.ok();
    bruno.post(&path(4, "close"), json!({})).await.ok();
    admin.post(&path(5, "close"), json!({})).await.ok();
}

#[tokio::test]
async fn each_dashboard_count_is_the_list_its_tile_opens() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&bruno, "agent").await;
    a_busy_inbox(&admin, &bruno, &gateway).await;

    for viewer in [&bruno, &admin] {
        let dashboard = viewer.get("/v1/dashboard").await.ok().body;
        let mine = all(viewer, "/v1/inbox/mine?status=open,resolved").await;
        assert_eq!(dashboard["mine"]["assigned"], mine.len(), "{dashboard}");
        let mine_unreplied =
            all(viewer, "/v1/inbox/mine?status=open,resolved&unreplied=true").await;
        assert_eq!(
            dashboard["mine"]["unreplied_conversations"],
            mine_unreplied.len()
        );
        assert_eq!(dashboard["mine"]["unreplied"], unreplied(&mine_unreplied));
        let group = &dashboard["group"];
        let unassigned = all(viewer, "/v1/inbox/team?status=open&assignee=none").await;
        assert_eq!(group["unassigned"], unassigned.len(), "{dashboard}");
        let open = all(viewer, "/v1/inbox/team?status=open").await;
        assert_eq!(group["open"], open.len());
        let waiting = all(viewer, "/v1/inbox/team?status=open,resolved&unreplied=true").await;
        assert_eq!(group["unreplied_conversations"], waiting.len());
        assert_eq!(group["unreplied"], unreplied(&waiting));
    }
    // Not vacuous: Bruno has three not closed (one answered, one resolved), and the
    // tenant four open (two unassigned) with six unreplied messages in four of them.
    let dashboard = bruno.get("/v1/dashboard").await.ok().body;
    assert_eq!(
        dashboard["mine"],
        json!({"assigned": 3, "unreplied": 2, "unreplied_conversations": 2})
    );
    assert_eq!(
        dashboard["group"],
        json!({"unassigned": 2, "unreplied": 6, "unreplied_conversations": 4, "open": 4})
    );
}

#[tokio::test]
async fn the_queue_shows_who_waits_longest_first_to_those_who_monitor_it() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let bruno = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&bruno, "agent").await;
    let mut waiting = Vec::new();
    for n in 0..3 {
        let contact = admin.new_contact(&format!("Contact {n}")).await;
        waiting.push(gateway.inbound(contact, "webchat", "hello").await);
    }
    // The first is answered by a person; the bot's answer to the second is no answer.
    let first = &waiting[0];
    admin
        .post(
            &format!("/v1/conversations/{first}/messages"),
            json!({"text": "Olá"}),
        )
        .await
        .ok();
    gateway
        .post(
            &format!("/v1/conversations/{}/messages", waiting[1]),
            json!({"text": "I am a bot", "sender_kind": "bot"}),
        )
        .await
        .ok();
    let queue = all(&admin, "/v1/queue").await;
    let ids: Vec<_> = queue
        .iter()
        .map(|entry| entry["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [waiting[1].as_str(), waiting[2].as_str()],
        "oldest first"
    );
    assert!(
        queue[0]["waiting_seconds"].as_i64().unwrap()
            >= queue[1]["waiting_seconds"].as_i64().unwrap()
    );
    assert!(queue[0]["waiting_since"].is_string());
    let unassigned = all(&admin, "/v1/queue?unassigned=true").await;
    assert_eq!(unassigned.len(), 2);
    let answered = admin.get(&format!("/v1/conversations/{first}")).await.ok();
    assert!(answered.body["first_response_seconds"].is_i64());
    assert!(answered.body["waiting_since"].is_null());
    let refused = bruno.get("/v1/queue").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}
