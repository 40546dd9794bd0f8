//! What operators and integrators correlate with: a request id in the response header,
//! the problem's `instance` and the service's log lines; the caller's W3C `traceparent`
//! continued into the events the request appends; and `/metrics` with the RED
//! histogram, real histograms only, and a `# HELP` for every metric.

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test]
async fn a_request_id_and_the_callers_trace_follow_each_request() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;

    let refused = stack
        .http
        .put(format!(
            "{}/v1/groups/{}",
            stack.command.base_url,
            Uuid::now_v7()
        ))
        .bearer_auth(&admin.token)
        .header("X-Request-Id", "support-ticket-4711")
        .json(&json!({"name": "   "}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(refused.headers()["x-request-id"], "support-ticket-4711");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        problem["instance"],
        "urn:caselog:request:support-ticket-4711"
    );

    let group = Uuid::now_v7();
    let accepted = stack
        .http
        .put(format!("{}/v1/groups/{group}", stack.command.base_url))
        .bearer_auth(&admin.token)
        .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
        .json(&json!({"name": "Billing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 201);
    let request_id = accepted.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        Uuid::parse_str(&request_id).is_ok(),
        "{request_id}: a new id"
    );

    let trace: Option<String> = sqlx::query_scalar(
        "SELECT metadata->'trace'->>'traceparent' FROM eventlog.events WHERE stream_id = $1",
    )
    .bind(group)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    let trace = trace.expect("the event carries the request's trace");
    assert_eq!(
        trace.split('-').nth(1),
        Some(TRACE_ID),
        "{trace} continues the caller's trace"
    );

    let logs = stack.command.logs();
    for id in ["support-ticket-4711", request_id.as_str()] {
        let lines: Vec<&String> = logs.iter().filter(|line| line.contains(id)).collect();
        assert!(
            lines.iter().any(|line| line.contains("request served")),
            "an access log line names {id}: {lines:#?}"
        );
    }
    stack.stop().await;
}

#[tokio::test]
async fn metrics_are_red_histograms_each_with_its_help() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;
    admin.new_contact("Maria").await;
    let missing = Uuid::now_v7();
    stack
        .http
        .get(format!("{}/v1/contacts/{missing}", stack.query.base_url))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    for (service, base) in [
        ("command", &stack.command.base_url),
        ("query", &stack.query.base_url),
        ("projection", &stack.projection.base_url),
    ] {
        // A probe is a request too: every service has served one before the scrape.
        stack.fetch_text(&format!("{base}/healthz")).await;
        let text = stack.fetch_text(&format!("{base}/metrics")).await;
        let types: Vec<(&str, &str)> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .filter_map(|line| line.split_once(' '))
            .collect();
        assert!(!types.is_empty(), "{service}: {text}");
        for (name, kind) in &types {
            assert_ne!(*kind, "summary", "{service}: {name} is a histogram");
            assert!(
                text.contains(&format!("# HELP {name} ")),
                "{service}: {name} has no HELP"
            );
        }
        assert!(
            types.contains(&("http_server_request_duration_seconds", "histogram")),
            "{service}: {text}"
        );
    }
    let query = stack
        .fetch_text(&format!("{}/metrics", stack.query.base_url))
        .await;
    let bucket = query.lines().find(|line| {
        line.starts_with("http_server_request_duration_seconds_bucket")
            && line.contains(r#"route="/v1/contacts/{id}""#)
            && line.contains(r#"status="404""#)
            && line.contains(r#"method="GET""#)
    });
    assert!(
        bucket.is_some(),
        "the 404 read is counted by route template: {query}"
    );
    assert!(
        !query.contains(&missing.to_string()),
        "no id becomes a label"
    );
    stack.stop().await;
}
