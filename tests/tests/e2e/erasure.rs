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

/// An admin and an agent (registered), an auditor and a channel gateway of a new tenant.
async fn team(stack: &Stack) -> [Session; 4] {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    for (session, role) in [(&admin, "admin"), (&agent, "agent")] {
        admin.register(session, role).await;
    }
    [admin, agent, auditor, gateway]
}

#[tokio::test]
async fn a_deleted_conversation_is_unreadable_everywhere_yet_still_verifies() {
    let stack = Stack::start().await;
    let [admin, agent, auditor, gateway] = team(&stack).await;
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

/// Every place outside the database where `needles` could linger: the JetStream
/// stream's messages and the three services' log lines.
async fn outside_the_database(stack: &Stack, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for message in stack.nats.read_all().await {
        let envelope = serde_json::to_string(&message.envelope).unwrap();
        if needles.iter().any(|needle| envelope.contains(needle)) {
            found.push(format!("stream message {}", message.sequence));
        }
    }
    for (service, process) in [
        ("command", &stack.command),
        ("query", &stack.query),
        ("projection", &stack.projection),
    ] {
        let lines = process.logs();
        if lines
            .iter()
            .any(|line| needles.iter().any(|needle| line.contains(needle)))
        {
            found.push(format!("{service} service log"));
        }
    }
    found
}

/// The case reads `[erased]` where the contact's words were, in the history and in
/// exports now and as of `before`.
async fn only_placeholders(auditor: &Session, conversation: &str, before: i64, needles: &[&str]) {
    let history = auditor
        .get(&format!("/v1/conversations/{conversation}/history"))
        .await
        .ok()
        .body
        .to_string();
    assert!(
        !needles.iter().any(|needle| history.contains(needle)),
        "{history}"
    );
    assert!(history.contains("[erased]"), "{history}");
    for export in [String::new(), format!("?as_of={before}")] {
        let (status, _, bytes) = auditor
            .get_bytes(&format!(
                "/v1/conversations/{conversation}/export.pdf{export}"
            ))
            .await;
        assert_eq!(status, 200);
        let text = pdf::text(&bytes);
        assert!(
            !needles.iter().any(|needle| text.contains(needle)),
            "{text}"
        );
        assert!(text.contains("Contact: [erased]"), "{text}");
    }
}

#[tokio::test]
async fn an_erased_contact_is_nowhere_yet_every_chain_still_verifies() {
    let stack = Stack::start().await;
    let [admin, agent, auditor, gateway] = team(&stack).await;
    let marker = format!("MARKER{}", Uuid::now_v7().simple());
    let (email, phone) = (
        format!("{marker}@example.com"),
        "+351 912 345 678".to_owned(),
    );
    let contact = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/contacts/{contact}"),
            json!({"name": format!("Maria {marker}"), "email": email, "phone": phone}),
        )
        .await
        .ok();
    // Two conversations: one full of the marker and closed, then the contact comes back.
    let first = case_full_of(&marker, contact, &admin, &agent, &gateway).await;
    for step in ["/resolve", "/close"] {
        agent
            .post(&format!("/v1/conversations/{first}{step}"), json!({}))
            .await
            .ok();
    }
    let second = gateway
        .inbound(contact, "whatsapp", &format!("again {marker}"))
        .await;
    assert_ne!(first, second);
    let before = auditor.newest_position();
    assert!(
        !tables_containing(&stack.database.pool, &marker)
            .await
            .is_empty()
    );

    let erase = format!("/v1/contacts/{contact}/erase");
    assert_eq!(agent.post(&erase, json!({})).await.status, 403);
    let erased = admin.post(&erase, json!({})).await.ok();
    let erased_at = erased.body["position"].as_i64().unwrap();
    // Again: nothing more to erase, nothing appended.
    let again = admin.post(&erase, json!({})).await.ok();
    assert_eq!(again.body["position"].as_i64(), Some(erased_at));

    let needles = [marker.as_str(), email.as_str(), phone.as_str()];
    caselog_testkit::eventually(
        Duration::from_secs(10),
        "nothing of theirs anywhere",
        || async {
            let relayed = stack.nats.last_sequence().await as i64 >= erased_at;
            let tables = tables_containing(&stack.database.pool, &marker).await;
            let phones = tables_containing(&stack.database.pool, &phone).await;
            (relayed && tables.is_empty() && phones.is_empty()).then_some(())
        },
    )
    .await;
    assert_eq!(
        outside_the_database(&stack, &needles).await,
        Vec::<String>::new()
    );

    // The auditor: placeholders now and as of before, every chain still verifies.
    for conversation in [&first, &second] {
        only_placeholders(&auditor, conversation, before, &needles).await;
    }
    let verified = auditor.get("/v1/audit/verify").await.ok().body;
    assert_eq!(verified["ok"], true, "{verified}");
    let found = admin.get("/v1/contacts?q=Maria").await.ok().body;
    assert_eq!(found["items"].as_array().unwrap().len(), 0, "{found}");

    // The id is never a contact again: no message lands for it, no upsert revives it.
    let refused = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "hello?"}),
        )
        .await;
    assert_eq!(refused.problem_type(), "caselog:validation");
    let revived = admin
        .put(&format!("/v1/contacts/{contact}"), json!({"name": "Maria"}))
        .await;
    assert_eq!(revived.status, 409);
    assert!(outside_the_database(&stack, &needles).await.is_empty());
    stack.stop().await;
}
