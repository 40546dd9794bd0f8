//! Abuse limits: what one caller, one tenant or one slow reader can take from the
//! services before they say no, and how they say it.

use std::time::Duration;

use uuid::Uuid;

use caselog_schemas::Role;
use caselog_tests::stack::Stack;

/// A counter or gauge from a service's `/metrics` (0 before it is first set).
async fn metric(stack: &Stack, base_url: &str, name: &str) -> f64 {
    let text = stack
        .http
        .get(format!("{base_url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

#[tokio::test]
async fn a_read_waiting_on_x_min_position_is_woken_by_the_projection_not_by_polling() {
    let mut stack = Stack::start_with(&[("CASELOG_MIN_POSITION_WAIT_MS", "30000".to_owned())]).await;
    let admin = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Admin);
    admin.new_contact("Maria").await;
    admin.get("/v1/users").await.ok();

    stack.kill_projection().await;
    admin.new_contact("Jo").await;
    let checks = "caselog_query_min_position_checks_total";
    let before = metric(&stack, &stack.query.base_url, checks).await;
    let waiting = tokio::spawn({
        let admin = admin.clone();
        async move { admin.get("/v1/users").await }
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = metric(&stack, &stack.query.base_url, checks).await - before;
    // One look, then one a second while nothing is announced (polling every 10 ms
    // looked about 300 times).
    assert!(
        (1.0..=5.0).contains(&during),
        "the waiting read looked at the read model {during} times in 3 s"
    );
    assert!(!waiting.is_finished(), "the read waits for its position");

    stack.restart_projection().await;
    let reply = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the projection's progress wakes the read")
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    stack.stop().await;
}
