//! Auto-close survives a crash of the command service (due times live in Postgres) and
//! closes exactly once as the system; the dashboard stream pushes every change.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::eventually;
use caselog_testkit::stack::Stack;

#[tokio::test]
async fn a_resolved_conversation_is_closed_once_by_the_system_even_across_a_crash() {
    let mut stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin
        .patch("/v1/settings", json!({"auto_close_seconds": 3}))
        .await
        .ok();
    let mut conversations = Vec::new();
    for n in 0..3 {
        let contact = Uuid::now_v7();
        admin
            .put(
                &format!("/v1/contacts/{contact}"),
                json!({"name": format!("C{n}")}),
            )
            .await
            .ok();
        let id: Uuid = gateway
            .post(
                "/v1/inbound-messages",
                json!({"contact_id": contact, "channel": "sms", "text": "hi"}),
            )
            .await
            .ok()
            .body["stream_id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        admin
            .post(&format!("/v1/conversations/{id}/resolve"), json!({}))
            .await
            .ok();
        conversations.push(id);
    }
    // The third is reopened before its delay: the timer must leave it open.
    admin
        .post(
            &format!("/v1/conversations/{}/reopen", conversations[2]),
            json!({}),
        )
        .await
        .ok();
    let pool = stack.database.pool.clone();
    eventually(
        Duration::from_secs(10),
        "the due times to be scheduled",
        || {
            let pool = pool.clone();
            async move {
                let due: i64 = sqlx::query_scalar("SELECT count(*) FROM commands.auto_close_due")
                    .fetch_one(&pool)
                    .await
                    .ok()?;
                (due == 2).then_some(())
            }
        },
    )
    .await;
    // Down past the due time: nothing is sleeping in memory any more.
    stack
        .crash_and_restart_command(Duration::from_secs(4))
        .await;

    let closed = |id: Uuid| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM eventlog.events WHERE stream_id = $1 AND event_type = 'ConversationClosed' \
                 AND metadata -> 'actor' ->> 'role' = 'system'",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for id in &conversations[..2] {
        eventually(Duration::from_secs(15), "the auto-close", || async {
            (closed(*id).await > 0).then_some(())
        })
        .await;
    }
    // Another scheduling round changes nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(closed(conversations[0]).await, 1);
    assert_eq!(closed(conversations[1]).await, 1);
    assert_eq!(
        closed(conversations[2]).await,
        0,
        "a reopened conversation stays open"
    );
    stack.stop().await;
}

#[tokio::test]
async fn the_dashboard_stream_pushes_the_counters_on_every_change() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Live").await;
    let response = stack
        .http
        .get(format!("{}/v1/dashboard/stream", stack.query.base_url))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut response = response;
    let mut received = String::new();
    let mut next_dashboard = async || -> serde_json::Value {
        loop {
            if let Some(end) = received.find("\n\n") {
                let event: String = received.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|line| line.strip_prefix("data: ")) {
                    return serde_json::from_str(data).unwrap();
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
                .await
                .expect("an event within 10 s")
                .unwrap()
                .expect("the stream stays open");
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let first = next_dashboard().await;
    assert_eq!(first["group"]["open"], 0);
    gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "webchat", "text": "hello?"}),
        )
        .await
        .ok();
    // Events for earlier changes (the contact) may come first; the message's follows.
    let mut latest = next_dashboard().await;
    while latest["group"]["open"] == 0 {
        latest = next_dashboard().await;
    }
    assert_eq!(
        latest["group"],
        json!({"unassigned": 1, "unreplied": 1, "unreplied_conversations": 1, "open": 1})
    );
    stack.stop().await;
}

#[tokio::test]
async fn the_dashboard_stream_ends_when_the_token_expires() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let token = caselog_platform::token::mint(
        caselog_platform::settings::LOCAL_JWT_SECRET,
        Uuid::now_v7(),
        tenant,
        Role::Admin,
        chrono::Duration::seconds(3),
    );
    let opened = std::time::Instant::now();
    let mut response = stack
        .http
        .get(format!("{}/v1/dashboard/stream", stack.query.base_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(_)) = response.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended");
    let lasted = opened.elapsed();
    assert!(
        lasted >= Duration::from_secs(1) && lasted < Duration::from_secs(10),
        "it lasted as long as the token: {lasted:?}"
    );
    stack.stop().await;
}
