//! Bad input gets a clear problem+json answer with the right status and changes
//! nothing: malformed JSON, wrong types, unknown fields and ids, a 3 MiB body, missing,
//! forged and expired tokens; idempotent retries and stale If-Match.

use serde_json::json;
use uuid::Uuid;

use caselog_platform::token;
use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

/// A bad request: what is wrong, the body, its content type, the bearer token, and
/// the status and problem type it must get.
type Case = (
    &'static str,
    Vec<u8>,
    &'static str,
    String,
    u16,
    &'static str,
);

/// Inbound messages with one thing wrong each, and the answer each must get.
fn bad_inbound_requests(gateway: &Session, tenant: Uuid, contact: Uuid) -> Vec<Case> {
    let mut cases = bad_bodies(&gateway.token, contact);
    cases.extend(bad_tokens(gateway, tenant));
    cases
}

/// Bodies that are not what the route takes, with a valid token.
fn bad_bodies(token: &str, contact: Uuid) -> Vec<Case> {
    let token = token.to_owned();
    vec![
        (
            "malformed JSON",
            b"{\"contact_id\": ".to_vec(),
            "application/json",
            token.clone(),
            400,
            "caselog:malformed",
        ),
        (
            "an array where the object belongs (serde would read a struct from it)",
            json!([contact, "sms", "x", null, [], null])
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            400,
            "caselog:malformed",
        ),
        (
            "a wrong type",
            json!({"contact_id": contact, "channel": "sms", "text": 5})
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            422,
            "caselog:validation",
        ),
        (
            "an unknown channel",
            json!({"contact_id": contact, "channel": "pigeon", "text": "x"})
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            422,
            "caselog:validation",
        ),
        (
            "an unknown field",
            json!({"contact_id": contact, "channel": "sms", "text": "x", "tenant": Uuid::now_v7()})
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            422,
            "caselog:validation",
        ),
        (
            "an unknown contact",
            json!({"contact_id": Uuid::now_v7(), "channel": "sms", "text": "x"})
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            422,
            "caselog:validation",
        ),
        (
            "an empty message",
            json!({"contact_id": contact, "channel": "sms", "text": "  "})
                .to_string()
                .into_bytes(),
            "application/json",
            token.clone(),
            422,
            "caselog:validation",
        ),
        (
            "a 3 MiB body",
            format!(
                "{{\"contact_id\":\"{contact}\",\"channel\":\"sms\",\"text\":\"{}\"}}",
                "a".repeat(3 * 1024 * 1024)
            )
            .into_bytes(),
            "application/json",
            token.clone(),
            413,
            "caselog:payload-too-large",
        ),
        (
            "no JSON content type",
            b"{}".to_vec(),
            "text/plain",
            token,
            415,
            "caselog:unsupported-media-type",
        ),
    ]
}

/// A valid body with a missing, forged, expired or garbled token.
fn bad_tokens(gateway: &Session, tenant: Uuid) -> Vec<Case> {
    vec![
        (
            "no token",
            b"{}".to_vec(),
            "application/json",
            String::new(),
            401,
            "caselog:unauthorized",
        ),
        (
            "a forged token",
            b"{}".to_vec(),
            "application/json",
            token::mint(
                "not-the-key",
                gateway.user,
                tenant,
                Role::Integration,
                chrono::Duration::hours(1),
            ),
            401,
            "caselog:unauthorized",
        ),
        (
            "an expired token",
            b"{}".to_vec(),
            "application/json",
            token::mint(
                caselog_platform::settings::LOCAL_JWT_SECRET,
                gateway.user,
                tenant,
                Role::Integration,
                chrono::Duration::seconds(-5),
            ),
            401,
            "caselog:unauthorized",
        ),
        (
            "garbage for a token",
            b"{}".to_vec(),
            "application/json",
            "e30.e30.".to_owned(),
            401,
            "caselog:unauthorized",
        ),
    ]
}

/// An unknown conversation is 404, an id that is not a UUID 400, an unknown route 404,
/// a known route with another method 405: each a problem.
async fn unknown_ids_routes_and_methods(admin: &Session) {
    let unknown = admin
        .post(
            &format!("/v1/conversations/{}/notes", Uuid::now_v7()),
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.problem_type()),
        (404, "caselog:not-found")
    );
    let not_a_uuid = admin
        .post("/v1/conversations/not-a-uuid/notes", json!({"text": "x"}))
        .await;
    assert_eq!(
        (not_a_uuid.status, not_a_uuid.problem_type()),
        (400, "caselog:malformed")
    );
    let no_such_route = admin.post("/v1/teleport", json!({})).await;
    assert_eq!(
        (no_such_route.status, no_such_route.problem_type()),
        (404, "caselog:not-found")
    );
    let wrong_method = admin
        .command(
            reqwest::Method::PATCH,
            "/v1/inbound-messages",
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (wrong_method.status, wrong_method.problem_type()),
        (405, "caselog:method-not-allowed")
    );
}

/// Queries: bad parameters are 422, an unreachable X-Min-Position is 503 with
/// Retry-After.
async fn bad_queries(stack: &Stack, admin: &Session) {
    for path in [
        "/v1/inbox/team?limit=0",
        "/v1/inbox/team?limit=1000",
        "/v1/inbox/team?cursor=nonsense",
        "/v1/inbox/team?status=lost",
        "/v1/inbox/team?assignee=someone",
    ] {
        assert_eq!(admin.get(path).await.status, 422, "{path}");
    }
    let waiting = stack
        .http
        .get(format!("{}/v1/inbox/team", stack.query.base_url))
        .bearer_auth(&admin.token)
        .header("X-Min-Position", "999999")
        .send()
        .await
        .unwrap();
    assert_eq!(waiting.status(), 503);
    assert!(waiting.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn bad_requests_are_refused_with_problems_and_write_nothing() {
    let stack = Stack::start_with(&[("CASELOG_MIN_POSITION_WAIT_MS", "300".to_owned())]).await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Maria").await;
    let conversation = gateway.inbound(contact, "sms", "hi").await;
    let before = stack.log_length().await;
    let http = &stack.http;
    let command = &stack.command.base_url;
    let inbound = format!("{command}/v1/inbound-messages");

    let send = |body: Vec<u8>, content_type: &'static str, bearer: String| {
        let url = inbound.clone();
        async move {
            let response = http
                .post(url)
                .header("content-type", content_type)
                .bearer_auth(bearer)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let content_type = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            (
                status,
                content_type,
                body["type"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let cases = bad_inbound_requests(&gateway, tenant, contact);
    for (what, body, content_type, bearer, status, problem) in cases {
        let (got_status, got_content_type, got_problem) = send(body, content_type, bearer).await;
        assert_eq!(
            (got_status, got_problem.as_str()),
            (status, problem),
            "{what}"
        );
        assert_eq!(got_content_type, "application/problem+json", "{what}");
    }
    unknown_ids_routes_and_methods(&admin).await;
    assert_eq!(stack.log_length().await, before, "nothing was written");

    bad_queries(&stack, &admin).await;

    // The same Idempotency-Key returns the first answer and appends nothing more.
    let note = |key: &'static str| {
        stack
            .http
            .post(format!("{command}/v1/conversations/{conversation}/notes"))
            .bearer_auth(&admin.token)
            .header("Idempotency-Key", key)
            .json(&json!({"text": "once"}))
            .send()
    };
    let first: serde_json::Value = note("note-1").await.unwrap().json().await.unwrap();
    let second: serde_json::Value = note("note-1").await.unwrap().json().await.unwrap();
    assert_eq!(first["events"], second["events"]);
    assert_eq!(stack.log_length().await, before + 1);

    // If-Match with a stale version is a conflict and writes nothing.
    let stale = stack
        .http
        .post(format!("{command}/v1/conversations/{conversation}/topic"))
        .bearer_auth(&admin.token)
        .header("If-Match", "\"1\"")
        .json(&json!({"topic": "late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 409);
    let current = first["stream_version"].as_i64().unwrap();
    let fresh = stack
        .http
        .post(format!("{command}/v1/conversations/{conversation}/topic"))
        .bearer_auth(&admin.token)
        .header("If-Match", format!("\"{current}\""))
        .json(&json!({"topic": "on time"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    assert_eq!(stack.log_length().await, before + 2);
    stack.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_command_and_query_route() {
    let stack = Stack::start().await;
    for (base, expected) in [
        (
            &stack.command.base_url,
            vec![
                "/v1/inbound-messages",
                "/v1/conversations/{id}/assign",
                "/v1/snippets/{id}",
                "/v1/chat/channels/{id}/messages",
                "/v1/chat/channels/{id}/members/{user_id}/role",
                "/v1/chat/dms",
                "/v1/chat/notifications/read",
                "/v1/users/{id}",
            ],
        ),
        (
            &stack.query.base_url,
            vec![
                "/v1/inbox/team",
                "/v1/dashboard",
                "/v1/dashboard/stream",
                "/v1/conversations/{id}/history",
                "/v1/chat/channels",
                "/v1/chat/notifications",
                "/v1/chat/cards/{card_id}",
            ],
        ),
    ] {
        let document: serde_json::Value = stack
            .http
            .get(format!("{base}/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        for path in expected {
            assert!(
                document["paths"].get(path).is_some(),
                "{base} documents {path}"
            );
        }
        if *base == stack.command.base_url {
            assert!(
                document["paths"]["/v1/users/{id}"].get("delete").is_some(),
                "the erasure of a user is documented"
            );
        }
    }
    stack.stop().await;
}

#[tokio::test]
async fn a_text_over_the_limit_is_refused_naming_the_field_and_the_limit() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Maria").await;
    let case = gateway.inbound(contact, "sms", "hello").await;
    let before = stack.log_length().await;

    let limit = caselog_platform::http::MAX_TEXT_CHARS;
    let too_long = "ü".repeat(limit + 1);
    let refused = admin
        .post(
            &format!("/v1/conversations/{case}/notes"),
            json!({"text": too_long}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.problem_type(), "caselog:validation");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("text") && detail.contains(&limit.to_string()),
        "{detail}"
    );
    let nested = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "x",
                   "attachments": [{"url": "https://example.com/a", "name": "é".repeat(limit + 1)}]}),
        )
        .await;
    assert_eq!(nested.status, 422, "{}", nested.body);
    assert_eq!(stack.log_length().await, before, "nothing was appended");

    // Exactly at the limit is accepted.
    admin
        .post(
            &format!("/v1/conversations/{case}/notes"),
            json!({"text": "ü".repeat(limit)}),
        )
        .await
        .ok();
    stack.stop().await;
}

/// Sends a request's head declaring `length` bytes of body, then one byte every
/// 300 ms; returns the status line the service answers with and when.
async fn trickle(address: &str, token: &str, length: usize) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = std::time::Instant::now();
    let mut connection = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/inbound-messages HTTP/1.1\r\nHost: caselog\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{"
    );
    connection.write_all(head.as_bytes()).await.unwrap();
    let (mut reader, mut writer) = connection.into_split();
    let sender = tokio::spawn(async move {
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            if writer.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let mut answer = vec![0u8; 256];
    let read = tokio::time::timeout(std::time::Duration::from_secs(25), reader.read(&mut answer))
        .await
        .expect("the service answers a slow client within its time-out")
        .unwrap_or(0);
    sender.abort();
    let text = String::from_utf8_lossy(&answer[..read]).to_string();
    (
        text.lines().next().unwrap_or_default().to_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_slow_body_is_cut_at_the_request_time_out() {
    let stack = Stack::start().await;
    let gateway = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Integration);
    let address = stack
        .command
        .base_url
        .trim_start_matches("http://")
        .to_owned();
    // A body within the limit, and one declared larger (drained before its 413).
    for length in [2_000, 4 * 1024 * 1024] {
        let (status, took) = trickle(&address, &gateway.token, length).await;
        assert!(status.contains(" 503 "), "{length}: {status}");
        assert!(
            took < std::time::Duration::from_secs(15),
            "{length}: answered after {took:?}"
        );
    }
    stack.stop().await;
}
