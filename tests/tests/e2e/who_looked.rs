//! README "Who looked": every read of a case's record or of the raw feed by an auditor,
//! owner or admin is recorded before it is answered — who, role, what, as of which
//! position, when, from where — and auditors list the records.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

#[tokio::test]
async fn reads_by_auditors_and_admins_are_recorded_and_listed_for_auditors() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&agent, "agent").await;
    let contact = admin.new_contact("Maria").await;
    let case = gateway.inbound(contact, "sms", "Hello").await;
    let first = auditor.newest_position();
    agent
        .post(
            &format!("/v1/conversations/{case}/messages"),
            json!({"text": "Hi"}),
        )
        .await
        .ok();
    agent
        .post(
            &format!("/v1/conversations/{case}/assign"),
            json!({"assignee_id": agent.user}),
        )
        .await;

    let history = format!("/v1/conversations/{case}/history");
    auditor.get(&history).await.ok();
    auditor.get(&format!("{history}?as_of={first}")).await.ok();
    let (status, _, _) = auditor
        .get_bytes(&format!("/v1/conversations/{case}/export.pdf"))
        .await;
    assert_eq!(status, 200);
    auditor.get("/v1/events?after=0").await.ok();
    admin.get(&history).await.ok();
    // An agent working the case is not an auditor: not recorded.
    agent.get(&history).await.ok();
    // Behind a proxy: what it says is kept apart from the peer's address.
    let proxied = stack
        .http
        .get(format!("{}{history}", stack.query.base_url))
        .bearer_auth(&auditor.token)
        .header("X-Forwarded-For", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 200);

    let records = auditor.get("/v1/audit/access").await.ok().body;
    let items = records["items"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = items
        .iter()
        .map(|record| {
            (
                record["role"].as_str().unwrap(),
                record["what"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("auditor", "history"),
            ("auditor", "history"),
            ("auditor", "audit_record"),
            ("auditor", "raw_feed"),
            ("admin", "history"),
            ("auditor", "history"),
        ],
        "{records}"
    );
    let as_of_first = &items[1];
    assert_eq!(as_of_first["as_of"], first, "{as_of_first}");
    assert_eq!(as_of_first["user_id"], auditor.user.to_string());
    assert_eq!(as_of_first["conversation_id"], case);
    assert_eq!(as_of_first["client_address"], "127.0.0.1");
    assert!(as_of_first["at"].as_str().unwrap().starts_with("20"));
    assert_eq!(items[3]["conversation_id"], Value::Null);
    assert_eq!(items[5]["forwarded_for"], "203.0.113.7");
    assert!(
        items.iter().take(5).all(
            |record| record.get("forwarded_for").is_none() || record["forwarded_for"].is_null()
        )
    );

    // One case's reads; paging by position; only auditors read the records.
    let of_case = auditor
        .get(&format!("/v1/audit/access?conversation_id={case}"))
        .await
        .ok()
        .body;
    assert_eq!(of_case["items"].as_array().unwrap().len(), 5);
    let after = items[1]["position"].as_i64().unwrap();
    let page = auditor
        .get(&format!("/v1/audit/access?after={after}&limit=2"))
        .await
        .ok()
        .body;
    assert_eq!(page["items"][0]["position"], items[2]["position"]);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(admin.get("/v1/audit/access").await.status, 403);

    // The records are events of the log: chained and verified like the cases.
    let verified = auditor.get("/v1/audit/verify").await.ok().body;
    assert_eq!(verified["ok"], true, "{verified}");
    stack.stop().await;
}
