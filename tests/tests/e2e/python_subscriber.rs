//! An analytics engineer's subscriber, independent of caselog's code: the Python script
//! `tests/python/subscriber.py` (nats-py and msgpack from PyPI, installed by
//! `deploy/dev test`) reads a scenario's events with the credentials of the tenant's
//! subscription, as the README shows, and checks that each is there once, in position
//! order, with the documented headers.

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::eventually;
use caselog_testkit::stack::Stack;

#[tokio::test]
async fn a_python_subscriber_reads_every_event_once_in_order_with_its_headers() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&admin, "admin").await;
    let contact = admin.new_contact("Maria").await;
    let conversation = gateway.inbound(contact, "sms", "olá").await;
    for path in ["/messages", "/notes"] {
        admin
            .post(
                &format!("/v1/conversations/{conversation}{path}"),
                json!({"text": "ok"}),
            )
            .await
            .ok();
    }
    for path in ["/resolve", "/close"] {
        admin
            .post(
                &format!("/v1/conversations/{conversation}{path}"),
                json!({}),
            )
            .await
            .ok();
    }
    let events = stack.log_length().await;
    eventually(
        Duration::from_secs(10),
        "the relay publishing everything",
        || async { (stack.nats.last_sequence().await as i64 == events).then_some(()) },
    )
    .await;

    // Unique on the shared nats-server: another test's deployment answers for its own.
    let name = format!("data-team-{}", &Uuid::now_v7().simple().to_string()[20..]);
    let (made, subscription, errors) = stack
        .subscriptions(&["add", &name, "--tenant", &tenant.to_string()])
        .await;
    assert!(made, "{errors}");
    let nats = &subscription["nats"];
    let python = caselog_testkit::tools::python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/subscriber.py");
    let output = tokio::process::Command::new(&python)
        .arg(script)
        .args(["--url", nats["url"].as_str().unwrap()])
        .args(["--user", nats["user"].as_str().unwrap()])
        .args(["--password", nats["password"].as_str().unwrap()])
        .args(["--consumer", nats["consumer"].as_str().unwrap()])
        .args(["--stream", &stack.nats.stream_name])
        .args(["--root", stack.nats.subject_root.as_str()])
        .args(["--expect", &events.to_string()])
        // The stack's only tenant: its subscription sees every position.
        .arg("--contiguous")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{python} runs (deploy/dev test installs nats-py): {e}"));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "the subscriber printed no summary: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["problems"], json!([]));
    assert_eq!(summary["events"], events);
    assert_eq!(summary["first_position"], 1);
    assert_eq!(summary["last_position"], events);

    let per_type: Vec<(String, i64)> =
        sqlx::query_as("SELECT event_type, count(*) FROM eventlog.events GROUP BY event_type")
            .fetch_all(&stack.database.pool)
            .await
            .unwrap();
    for (event_type, count) in per_type {
        assert_eq!(summary["event_types"][&event_type], count, "{event_type}");
    }
    stack.stop().await;
}
