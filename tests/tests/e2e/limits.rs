//! Abuse limits: what one caller, one tenant or one slow reader can take from the
//! services before they say no, and how they say it.

use std::time::Duration;

use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

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
    let mut stack =
        Stack::start_with(&[("CASELOG_MIN_POSITION_WAIT_MS", "30000".to_owned())]).await;
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

/// `GET /v1/users` as `session`, with no `X-Min-Position`: (status, Retry-After, body).
async fn read(stack: &Stack, token: &str) -> (u16, Option<u64>, serde_json::Value) {
    let response = stack
        .http
        .get(format!("{}/v1/users", stack.query.base_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().parse().unwrap());
    (
        status,
        retry_after,
        response.json().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_user_or_a_tenant_over_its_rate_gets_429_with_retry_after_and_others_are_served() {
    let stack = Stack::start_with(&[
        ("CASELOG_RATE_PER_USER", "1".to_owned()),
        ("CASELOG_BURST_PER_USER", "5".to_owned()),
        ("CASELOG_RATE_PER_TENANT", "1".to_owned()),
        ("CASELOG_BURST_PER_TENANT", "8".to_owned()),
    ])
    .await;
    let tenant = Uuid::now_v7();
    let ana = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let elsewhere = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Agent);

    // Twenty at once from one user: the burst of five (and what refilled meanwhile)
    // is served, the rest refused with a problem saying when to come back.
    let burst = futures::future::join_all((0..20).map(|_| read(&stack, &ana.token))).await;
    let served = burst.iter().filter(|(status, ..)| *status == 200).count();
    assert!((5..=10).contains(&served), "{served} of 20 served");
    for (status, retry_after, body) in burst.iter().filter(|(status, ..)| *status != 200) {
        assert_eq!(*status, 429, "{body}");
        assert_eq!(body["type"], "caselog:too-many-requests");
        assert!(retry_after.is_some_and(|seconds| seconds >= 1), "{body}");
        assert!(
            body["detail"].as_str().unwrap().starts_with("you are"),
            "{body}"
        );
    }

    // Four users of another tenant, four requests each at once: no one is over their
    // own burst of five, but together they are over the tenant's eight.
    let team = Uuid::now_v7();
    let tokens: Vec<String> = (0..4)
        .map(|_| stack.session(team, Uuid::now_v7(), Role::Agent).token)
        .collect();
    let burst = futures::future::join_all(
        tokens
            .iter()
            .flat_map(|token| std::iter::repeat_n(token, 4))
            .map(|token| read(&stack, token)),
    )
    .await;
    let served = burst.iter().filter(|(status, ..)| *status == 200).count();
    assert!(
        (8..=12).contains(&served),
        "the tenant's bucket holds: {served} of 16 served"
    );
    for (status, _, body) in burst.iter().filter(|(status, ..)| *status != 200) {
        assert_eq!(*status, 429, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("organisation"),
            "{body}"
        );
    }

    // Another tenant is not touched.
    assert_eq!(read(&stack, &elsewhere.token).await.0, 200);

    // Each service keeps its own buckets: on the command service a burst of commands
    // is served up to the burst, and the refused ones write nothing.
    let admin = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Admin);
    let before = stack.log_length().await;
    let commands = futures::future::join_all((0..20).map(|index| {
        stack
            .http
            .put(format!(
                "{}/v1/contacts/{}",
                stack.command.base_url,
                Uuid::now_v7()
            ))
            .bearer_auth(&admin.token)
            .json(&serde_json::json!({"name": format!("Contact {index}")}))
            .send()
    }))
    .await;
    let statuses: Vec<u16> = commands
        .into_iter()
        .map(|response| response.unwrap().status().as_u16())
        .collect();
    let written = statuses
        .iter()
        .filter(|status| (200..300).contains(*status))
        .count();
    assert!((5..=10).contains(&written), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|status| **status == 429).count(),
        20 - written,
        "{statuses:?}"
    );
    assert_eq!(stack.log_length().await, before + written as i64);

    // After Retry-After the user is served again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(read(&stack, &elsewhere.token).await.0, 200);
    caselog_testkit::eventually(Duration::from_secs(10), "ana served again", || async {
        (read(&stack, &ana.token).await.0 == 200).then_some(())
    })
    .await;
    stack.stop().await;
}

#[tokio::test]
async fn a_service_at_its_concurrency_limit_sheds_with_503_and_retry_after() {
    let mut stack = Stack::start_with(&[
        ("CASELOG_MAX_CONCURRENT_REQUESTS", "2".to_owned()),
        ("CASELOG_MIN_POSITION_WAIT_MS", "30000".to_owned()),
    ])
    .await;
    let admin = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Admin);
    admin.new_contact("Maria").await;
    stack.kill_projection().await;
    admin.new_contact("Jo").await;
    // Two reads wait for a position the stopped projection will not reach for now.
    let waiting: Vec<_> = (0..2)
        .map(|_| {
            let admin = admin.clone();
            tokio::spawn(async move { admin.get("/v1/users").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    for read in &waiting {
        assert!(!read.is_finished(), "a waiting read finished");
    }
    let shed = caselog_testkit::eventually(Duration::from_secs(10), "a shed request", || async {
        let (status, retry_after, body) = read(&stack, &admin.token).await;
        (status == 503).then_some((retry_after, body))
    })
    .await;
    assert!(shed.0.is_some(), "503 without Retry-After");
    assert!(
        shed.1["detail"].as_str().unwrap().contains("limit of 2"),
        "{}",
        shed.1
    );
    stack.restart_projection().await;
    for read in waiting {
        assert_eq!(read.await.unwrap().status, 200);
    }
    assert_eq!(read(&stack, &admin.token).await.0, 200, "served again");
    stack.stop().await;
}

#[tokio::test]
async fn a_user_may_hold_only_so_many_event_streams_open() {
    let stack = Stack::start_with(&[("CASELOG_MAX_STREAMS_PER_USER", "2".to_owned())]).await;
    let admin = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Admin);
    let open = || async {
        stack
            .http
            .get(format!("{}/v1/dashboard/stream", stack.query.base_url))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap()
    };
    let first = open().await;
    let second = open().await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open().await;
    assert_eq!(third.status().as_u16(), 429);
    assert!(third.headers().contains_key("retry-after"));
    let body: serde_json::Value = third.json().await.unwrap();
    assert_eq!(body["type"], "caselog:too-many-requests");

    // Closing one frees its slot.
    drop(first);
    caselog_testkit::eventually(Duration::from_secs(30), "a freed slot", || async {
        let response = open().await;
        (response.status().as_u16() == 200).then_some(())
    })
    .await;
    drop(second);
    stack.stop().await;
}

/// A conversation with `messages` messages of `chars` characters each.
async fn a_case(stack: &Stack, tenant: Uuid, messages: usize, chars: usize) -> String {
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Maria").await;
    let conversation = gateway.inbound(contact, "whatsapp", "Olá").await;
    let text = "Olá, a fatura está errada. ".repeat(chars / 27 + 1)[..chars].to_owned();
    for _ in 1..messages {
        gateway
            .post(
                &format!("/v1/conversations/{conversation}/messages"),
                serde_json::json!({"text": text, "sender_kind": "bot"}),
            )
            .await
            .ok();
    }
    conversation
}

/// Waits until the query service has stopped a render and runs none.
async fn a_render_stopped(stack: &Stack) {
    let query = &stack.query.base_url;
    caselog_testkit::eventually(Duration::from_secs(30), "the render stopped", || async {
        let stopped = metric(stack, query, "caselog_export_renders_stopped_total").await;
        let running = metric(stack, query, "caselog_export_renders_running").await;
        (stopped >= 1.0 && running == 0.0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_pdf_export_is_capped_in_entries_pages_and_render_time() {
    let stack = Stack::start_with(&[
        ("CASELOG_EXPORT_MAX_ENTRIES", "10".to_owned()),
        ("CASELOG_EXPORT_MAX_PAGES", "2".to_owned()),
    ])
    .await;
    let tenant = Uuid::now_v7();
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let small = a_case(&stack, tenant, 3, 40).await;
    let long = a_case(&stack, tenant, 12, 40).await;
    let wordy = a_case(&stack, tenant, 6, 8000).await;
    let export = |id: &str| {
        let path = format!("/v1/conversations/{id}/export.pdf");
        let auditor = auditor.clone();
        async move { auditor.get(&path).await }
    };

    let (status, content_type, _) = auditor
        .get_bytes(&format!("/v1/conversations/{small}/export.pdf"))
        .await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    let too_long = export(&long).await;
    assert_eq!(too_long.status, 422, "{}", too_long.body);
    assert!(
        too_long.field("detail").contains("at most 10"),
        "{}",
        too_long.body
    );
    let too_wordy = export(&wordy).await;
    assert_eq!(too_wordy.status, 422, "{}", too_wordy.body);
    assert!(
        too_wordy.field("detail").contains("pages"),
        "{}",
        too_wordy.body
    );
    stack.stop().await;

    // Out of render time: a 503 to retry, and the render itself stopped.
    let stack = Stack::start_with(&[("CASELOG_EXPORT_RENDER_TIMEOUT_MS", "1".to_owned())]).await;
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let case = a_case(&stack, tenant, 6, 8000).await;
    let reply = auditor
        .get(&format!("/v1/conversations/{case}/export.pdf"))
        .await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.headers.contains_key("retry-after"));
    a_render_stopped(&stack).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_pdf_export_whose_client_goes_away_stops_rendering() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let case = a_case(&stack, tenant, 30, 8000).await;
    let query = stack.query.base_url.clone();
    let export = tokio::spawn({
        let request = stack
            .http
            .get(format!("{query}/v1/conversations/{case}/export.pdf"))
            .bearer_auth(&auditor.token);
        async move { request.send().await }
    });
    // The client goes away once the render is under way.
    caselog_testkit::eventually(Duration::from_secs(30), "the render started", || async {
        let running = metric(&stack, &query, "caselog_export_renders_running").await;
        (running >= 1.0).then_some(())
    })
    .await;
    assert!(
        !export.is_finished(),
        "the export finished: nothing to stop"
    );
    export.abort();
    a_render_stopped(&stack).await;
    stack.stop().await;
}
