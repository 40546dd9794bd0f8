//! README "Erasure": deleting a conversation destroys its key. Afterwards a marker string
//! written into its messages, note, internal message and rating is nowhere: not in any
//! table of the database, not in the JetStream stream, not in an export, not in a
//! cached export; the auditor's history shows placeholders and the chain still verifies.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::pdf;
use caselog_testkit::stack::{Session, Stack};

/// Every row of every table of the database whose text contains `marker`, as
/// `schema.table` names.
async fn tables_containing(pool: &sqlx::PgPool, marker: &str) -> Vec<String> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema, table_name FROM information_schema.tables \
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(tables.len() > 20, "every schema is searched: {tables:?}");
    let mut found = Vec::new();
    for (schema, table) in tables {
        let hits: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM \"{schema}\".\"{table}\" AS t WHERE t::text LIKE '%' || $1 || '%'"
        )))
        .bind(marker)
        .fetch_one(pool)
        .await
        .unwrap();
        if hits > 0 {
            found.push(format!("{schema}.{table}"));
        }
    }
    found
}

/// A conversation with `marker` in five places: the customer's message, a reply, a
/// note, an internal message and the rating's comment.
async fn case_full_of(
    marker: &str,
    contact: Uuid,
    admin: &Session,
    agent: &Session,
    gateway: &Session,
) -> String {
    let conversation = gateway
        .inbound(contact, "sms", &format!("my card number is {marker}"))
        .await;
    let path = |tail: &str| format!("/v1/conversations/{conversation}{tail}");
    agent
        .post(
            &path("/messages"),
            json!({"text": format!("noted {marker}")}),
        )
        .await
        .ok();
    agent
        .post(&path("/notes"), json!({"text": format!("note {marker}")}))
        .await
        .ok();
    agent
        .post(
            &path("/internal-messages"),
            json!({"to": admin.user, "text": format!("internal {marker}")}),
        )
        .await
        .ok();
    gateway
        .post(
            &path("/rating"),
            json!({"score": 2, "comment": format!("rated {marker}")}),
        )
        .await
        .ok();
    conversation
}

#[tokio::test]
async fn a_deleted_conversation_is_unreadable_everywhere_yet_still_verifies() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    for (session, role) in [(&admin, "admin"), (&agent, "agent")] {
        admin.register(session, role).await;
    }
    let marker = format!("MARKER{}", Uuid::now_v7().simple());
    let contact = admin.new_contact("Maria").await;
    let conversation = case_full_of(&marker, contact, &admin, &agent, &gateway).await;
    let path = |tail: &str| format!("/v1/conversations/{conversation}{tail}");

    // Before: readable where it should be, and only there. The log and NATS hold it sealed.
    let history = admin.get(&path("/history")).await.ok().body.to_string();
    // Five entries carry it, each in its data and in its words.
    assert_eq!(history.matches(&marker).count(), 10, "{history}");
    let (_, _, before_pdf) = auditor.get_bytes(&path("/export.pdf")).await;
    assert!(pdf::text(&before_pdf).contains(&marker));
    let before_position = auditor.newest_position();
    let readable = tables_containing(&stack.database.pool, &marker).await;
    assert!(
        readable.contains(&"rm_history.entries".to_owned()),
        "{readable:?}"
    );
    assert!(
        !readable.iter().any(|table| table.starts_with("eventlog.")),
        "{readable:?}"
    );

    let deleted = admin.delete(&path("")).await.ok();
    let delete_position = deleted.body["position"].as_i64().unwrap();
    assert_eq!(
        admin.get(&path("/history")).await.status,
        404,
        "staff: gone"
    );

    // After: nowhere in the database, once every projection has applied the deletion
    // (the read above waited for the history's only)…
    caselog_testkit::eventually(
        Duration::from_secs(10),
        "every read model dropped the case",
        || async {
            tables_containing(&stack.database.pool, &marker)
                .await
                .is_empty()
                .then_some(())
        },
    )
    .await;
    // …nor in the JetStream stream (the relay published everything, deletion included)…
    caselog_testkit::eventually(Duration::from_secs(10), "the relay", || async {
        (stack.nats.last_sequence().await as i64 >= delete_position).then_some(())
    })
    .await;
    let published = stack.nats.read_all().await;
    assert!(published.len() as i64 >= delete_position);
    for message in &published {
        let envelope = serde_json::to_string(&message.envelope).unwrap();
        assert!(
            !envelope.contains(&marker),
            "stream message {}",
            message.sequence
        );
    }
    // …nor in exports, cached or not, now or as of before the deletion.
    for export in [
        path("/export.pdf"),
        path(&format!("/export.pdf?as_of={before_position}")),
    ] {
        let (status, _, bytes) = auditor.get_bytes(&export).await;
        assert_eq!(status, 200, "{export}");
        let text = pdf::text(&bytes);
        assert!(!text.contains(&marker), "{export}");
        assert!(text.contains("[erased]"), "{export}: {text}");
    }
    // The auditor's history shows placeholders where the content was.
    let history = auditor.get(&path("/history")).await.ok().body;
    let text = history.to_string();
    assert!(!text.contains(&marker));
    // In the five entries' data and in their words.
    assert_eq!(text.matches("[erased]").count(), 10, "{history}");
    assert_eq!(
        history["items"].as_array().unwrap().last().unwrap()["kind"],
        "conversation_deleted"
    );
    // And the log still proves nobody rewrote it.
    let verified = auditor.get(&path("/verify")).await.ok().body;
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["head_position"], delete_position);
    stack.stop().await;
}
