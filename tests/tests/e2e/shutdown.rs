//! SIGTERM drains: readiness fails first while the service still answers, requests in
//! flight finish with their real answer, background work stops, the process exits 0.

use std::time::Duration;

use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::services::ServiceProcess;
use caselog_testkit::stack::Stack;

async fn terminate(service: &ServiceProcess) {
    let pid = service.child.id().expect("the service runs").to_string();
    let status = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success());
}

async fn exits_cleanly(service: &mut ServiceProcess, within: Duration, what: &str) {
    let status = tokio::time::timeout(within, service.child.wait())
        .await
        .unwrap_or_else(|_| panic!("{what} still runs {within:?} after SIGTERM"))
        .expect("wait for the process");
    assert!(status.success(), "{what} exits 0 after SIGTERM: {status}");
}

#[tokio::test]
async fn sigterm_fails_readiness_first_and_lets_requests_in_flight_finish() {
    let mut stack = Stack::start_with(&[
        ("CASELOG_SHUTDOWN_DRAIN_MS", "1500".to_owned()),
        ("CASELOG_MIN_POSITION_WAIT_MS", "20000".to_owned()),
    ])
    .await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Draining Customer").await;

    // A read that cannot be answered yet: the projections are stopped, so it waits for
    // the position of the message below.
    stack.kill_projection().await;
    gateway.observe(admin.newest_position());
    gateway
        .inbound(contact, "webchat", "waiting on the drain")
        .await;
    admin.observe(gateway.newest_position());
    let in_flight = tokio::spawn({
        let admin = admin.clone();
        async move { admin.get("/v1/inbox/team").await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !in_flight.is_finished(),
        "the read waits for the projections"
    );

    terminate(&stack.query).await;
    let readyz = format!("{}/readyz", stack.query.base_url);
    let draining = caselog_testkit::eventually(Duration::from_secs(1), "readiness fails", || {
        let (http, readyz) = (stack.http.clone(), readyz.clone());
        async move {
            let response = http.get(&readyz).send().await.ok()?;
            (response.status() == 503).then_some(response.json::<serde_json::Value>().await.ok()?)
        }
    })
    .await;
    assert_eq!(draining["status"], "draining");
    // Draining, not stopped: a new request is still answered in full.
    let inbox = stack
        .http
        .get(format!("{}/v1/inbox/team", stack.query.base_url))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("still accepting while draining");
    assert_eq!(inbox.status(), 200);

    // The drain ends; the read in flight is still answered once the projections are
    // back, with what it waited for.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stack.restart_projection().await;
    let answer = tokio::time::timeout(Duration::from_secs(20), in_flight)
        .await
        .expect("the read in flight is answered")
        .expect("the read's task");
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(
        answer.body.to_string().contains("Draining Customer"),
        "{}",
        answer.body
    );
    exits_cleanly(
        &mut stack.query,
        Duration::from_secs(10),
        "the query service",
    )
    .await;

    // The others stop cleanly too: the relay and the projection runners between batches.
    terminate(&stack.command).await;
    terminate(&stack.projection).await;
    exits_cleanly(
        &mut stack.command,
        Duration::from_secs(10),
        "the command service",
    )
    .await;
    exits_cleanly(
        &mut stack.projection,
        Duration::from_secs(10),
        "the projection service",
    )
    .await;
    stack.stop().await;
}
