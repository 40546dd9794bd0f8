//! README "Trusting the log": signed checkpoints are taken as the log grows, and each
//! way a database administrator could rewrite the log with SQL — edit, delete, move an
//! event, cut a stream short, delete a stream, cut the log short after a checkpoint —
//! is reported by the tenant's verification (HTTP) and the log's (`query-service
//! verify --log --nats`).

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

pub(crate) struct Tenant {
    pub(crate) auditor: Session,
    /// The first of two conversations: its events all come before the second's.
    pub(crate) first: Uuid,
    /// The verification once a checkpoint covered everything above.
    verified: Value,
}

pub(crate) async fn a_stack() -> Stack {
    Stack::start_with(&[("CASELOG_CHECKPOINT_INTERVAL_MS", "100".to_owned())]).await
}

/// A tenant with two conversations of four events each, checkpointed.
pub(crate) async fn a_checkpointed_tenant(stack: &Stack) -> Tenant {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    admin.register(&agent, "agent").await;
    let mut conversations = Vec::new();
    for name in ["Maria", "João"] {
        let contact = admin.new_contact(name).await;
        let conversation = gateway.inbound(contact, "sms", "Hello").await;
        for text in ["One", "Two", "Three"] {
            agent
                .post(
                    &format!("/v1/conversations/{conversation}/messages"),
                    json!({ "text": text }),
                )
                .await
                .ok();
        }
        conversations.push(conversation.parse().unwrap());
    }
    let verified = checkpointed(&auditor, auditor.newest_position()).await;
    // …and published: the copy on NATS is what a cut log is held against.
    caselog_testkit::eventually(Duration::from_secs(10), "the relay", || async {
        (stack.nats.last_sequence().await as i64 >= stack.log_length().await).then_some(())
    })
    .await;
    Tenant {
        auditor,
        first: conversations[0],
        verified,
    }
}

/// Verifies until a checkpoint covers `position`.
pub(crate) async fn checkpointed(auditor: &Session, position: i64) -> Value {
    let mut report = Value::Null;
    for _ in 0..100 {
        report = auditor.get("/v1/audit/verify").await.ok().body;
        if report["latest_checkpoint"]["position"].as_i64() >= Some(position) {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no checkpoint covered position {position} within 10 s: {report}");
}

/// After the administrator's `sql`, the tenant's verification and the log's both
/// fail, naming `expected` in their reason; returns the tenant's report.
async fn tampering_is_reported(stack: &Stack, tenant: &Tenant, sql: &str, expected: &str) -> Value {
    stack.database.administer(sql).await;
    let report = tenant.auditor.get("/v1/audit/verify").await.ok().body;
    assert_eq!(report["ok"], false, "{report}");
    let reason = report["first_break"]["reason"].as_str().unwrap();
    assert!(reason.contains(expected), "{reason}");

    let log = stack
        .cli("query-service", &["verify", "--log", "--nats"])
        .await;
    assert_eq!(log.status.code(), Some(1), "{log:?}");
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log["ok"], false, "{log}");
    report
}

#[tokio::test]
async fn an_untouched_log_verifies_with_its_signed_checkpoints() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let report = &tenant.verified;
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["checkpoints"].as_u64().unwrap() >= 1, "{report}");
    assert!(report["events"].as_u64().unwrap() >= 10, "{report}");
    assert_eq!(report["head_hash"].as_str().unwrap().len(), 64);
    let checkpoint = &report["latest_checkpoint"];
    assert_eq!(checkpoint["key_id"].as_str().unwrap().len(), 16);

    // The keys it was checked with, and the whole log (every tenant, contiguous
    // positions, the log chain) offline, held against NATS.
    let keys = tenant
        .auditor
        .get("/v1/audit/checkpoint-keys")
        .await
        .ok()
        .body;
    assert_eq!(keys["keys"][0]["key_id"], checkpoint["key_id"]);
    let log = stack
        .cli("query-service", &["verify", "--log", "--nats"])
        .await;
    assert!(log.status.success(), "{log:?}");
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(log["ok"], true, "{log}");
    assert!(log["events"].as_u64() >= report["events"].as_u64());

    // Only auditors verify a tenant.
    let admin = stack.session(tenant.auditor.tenant, Uuid::now_v7(), Role::Admin);
    assert_eq!(admin.get("/v1/audit/verify").await.status, 403);
    stack.stop().await;
}

#[tokio::test]
async fn an_edited_event_is_reported_at_its_position() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let sql = format!(
        "UPDATE eventlog.events SET payload = jsonb_set(payload, '{{channel}}', '\"email\"') \
         WHERE stream_id = '{}' AND stream_version = 1",
        tenant.first
    );
    let report = tampering_is_reported(&stack, &tenant, &sql, "hash").await;
    assert_eq!(report["first_break"]["stream_id"], tenant.first.to_string());
    assert_eq!(report["first_break"]["stream_version"], 1);
    stack.stop().await;
}

#[tokio::test]
async fn a_deleted_event_is_reported() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let deleted: i64 = sqlx::query_scalar(
        "SELECT position FROM eventlog.events WHERE stream_id = $1 AND stream_version = 2",
    )
    .bind(tenant.first)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    let sql = format!("DELETE FROM eventlog.events WHERE position = {deleted}");
    // Reported where the next event no longer links: the stream's version 3, or an
    // event of another stream (a checkpoint, say) that came between.
    let report = tampering_is_reported(&stack, &tenant, &sql, "missing").await;
    let at = report["first_break"]["position"].as_i64().unwrap();
    assert!(at > deleted, "{report}");
    stack.stop().await;
}

#[tokio::test]
async fn events_moved_to_each_others_positions_are_reported() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let first = tenant.first;
    let sql = format!(
        "UPDATE eventlog.events SET position = position + 1000000000 \
         WHERE stream_id = '{first}' AND stream_version IN (2, 3); \
         UPDATE eventlog.events e SET position = o.position - 1000000000 \
         FROM eventlog.events o \
         WHERE e.stream_id = '{first}' AND o.stream_id = '{first}' \
           AND e.stream_version IN (2, 3) AND o.stream_version IN (2, 3) \
           AND e.stream_version <> o.stream_version"
    );
    tampering_is_reported(&stack, &tenant, &sql, "follows").await;
    stack.stop().await;
}

#[tokio::test]
async fn a_stream_cut_short_is_reported() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let sql = format!(
        "DELETE FROM eventlog.events WHERE stream_id = '{}' AND stream_version >= 3",
        tenant.first
    );
    let report = tampering_is_reported(&stack, &tenant, &sql, "tenant_hash").await;
    // The break shows where the tenant's chain resumes, after the cut.
    assert_ne!(report["first_break"]["stream_id"], tenant.first.to_string());
    stack.stop().await;
}

#[tokio::test]
async fn a_deleted_stream_is_reported() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let sql = format!(
        "DELETE FROM eventlog.events WHERE stream_id = '{}'",
        tenant.first
    );
    tampering_is_reported(&stack, &tenant, &sql, "tenant_hash").await;
    stack.stop().await;
}

#[tokio::test]
async fn a_log_cut_short_after_a_checkpoint_is_reported_by_the_copy_on_nats() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    // Everything after the first conversation goes, the checkpoints that signed it
    // with it: what is left is a consistent log, which only a copy can contradict.
    let sql = format!(
        "DELETE FROM eventlog.events WHERE position > (SELECT max(position) \
         FROM eventlog.events WHERE stream_id = '{}')",
        tenant.first
    );
    tampering_is_reported(&stack, &tenant, &sql, "cut short").await;
    stack.stop().await;
}
