//! Signed webhooks (README "Webhooks"): a tenant's admin registers an endpoint; the
//! command service's dispatcher delivers that tenant's events of the chosen types to a
//! receiver this test runs, signed the Standard Webhooks way; a receiver that fails is
//! retried with backoff, its deliveries become dead letters after the last attempt, and
//! an admin retries them once it recovers.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use ring::hmac;
use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::eventually;
use caselog_testkit::stack::{Session, Stack};

/// A receiver on loopback that records every request and answers 503 while
/// `failures_left` is above 0 (counting down) or -1 (for good), 200 otherwise.
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<(HeaderMap, Value, String)>>>,
    failures_left: Arc<AtomicI64>,
}

impl Receiver {
    async fn start() -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let failures_left = Arc::new(AtomicI64::new(0));
        let (recorded, failing) = (requests.clone(), failures_left.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (recorded, failing) = (recorded.clone(), failing.clone());
                async move {
                    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
                    recorded.lock().unwrap().push((headers, json, body));
                    let left = failing.load(Ordering::SeqCst);
                    if left > 0 {
                        failing.fetch_sub(1, Ordering::SeqCst);
                    }
                    if left != 0 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            requests,
            failures_left,
        }
    }

    fn bodies(&self) -> Vec<Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|(_, json, _)| json.clone())
            .collect()
    }
}

/// Checks a request's signature as a receiver would, with the Standard Webhooks scheme.
fn verify(secret: &str, headers: &HeaderMap, body: &str) {
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "a stale timestamp: {age} s");
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let expected = hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    assert_eq!(
        header("webhook-signature"),
        format!("v1,{}", STANDARD.encode(expected.as_ref()))
    );
}

async fn register(admin: &Session, receiver: &Receiver, event_types: &[&str]) -> Value {
    let reply = admin
        .post(
            "/v1/webhooks",
            json!({"url": receiver.url, "event_types": event_types}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

async fn command_get(session: &Session, path: &str) -> (u16, Value) {
    let reply = session.command(Method::GET, path, None).await;
    (reply.status, reply.body)
}

async fn retrying_stack() -> Stack {
    Stack::start_with(&[
        ("CASELOG_WEBHOOK_FIRST_RETRY_MS", "100".to_owned()),
        ("CASELOG_WEBHOOK_MAX_ATTEMPTS", "3".to_owned()),
        ("CASELOG_WEBHOOK_POLL_MS", "50".to_owned()),
    ])
    .await
}

#[tokio::test]
async fn a_tenants_events_of_the_chosen_types_reach_its_endpoint_signed_and_no_other() {
    let stack = retrying_stack().await;
    let (acme, globex) = (Uuid::now_v7(), Uuid::now_v7());
    let acme_admin = stack.session(acme, Uuid::now_v7(), Role::Admin);
    let globex_admin = stack.session(globex, Uuid::now_v7(), Role::Admin);
    let (acme_receiver, globex_receiver) = (Receiver::start().await, Receiver::start().await);
    let acme_endpoint = register(&acme_admin, &acme_receiver, &["ContactUpserted"]).await;
    let globex_endpoint = register(&globex_admin, &globex_receiver, &["*"]).await;

    let maria = acme_admin.new_contact("Maria").await;
    let gateway = stack.session(acme, Uuid::now_v7(), Role::Integration);
    gateway.inbound(maria, "sms", "olá").await;
    globex_admin.new_contact("Hans").await;

    eventually(
        Duration::from_secs(20),
        "both receivers' deliveries",
        || async {
            let (acme_bodies, globex_bodies) = (acme_receiver.bodies(), globex_receiver.bodies());
            (!acme_bodies.is_empty() && !globex_bodies.is_empty()).then_some(())
        },
    )
    .await;
    // Give a wrong extra delivery (another type, another tenant) the time to show.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (acme_bodies, globex_bodies) = (acme_receiver.bodies(), globex_receiver.bodies());
    assert_eq!(
        acme_bodies.len(),
        1,
        "acme wants contacts only: {acme_bodies:?}"
    );
    let delivered = &acme_bodies[0];
    assert_eq!(delivered["type"], "ContactUpserted");
    assert_eq!(delivered["data"]["tenant_id"], acme.to_string());
    // The tenant's own endpoint receives what its API shows: personal fields opened.
    assert_eq!(delivered["data"]["payload"]["name"], "Maria", "{delivered}");
    assert!(
        globex_bodies
            .iter()
            .all(|body| body["data"]["tenant_id"] == globex.to_string())
    );
    for (receiver, endpoint) in [
        (&acme_receiver, &acme_endpoint),
        (&globex_receiver, &globex_endpoint),
    ] {
        for (headers, _, body) in receiver.requests.lock().unwrap().iter() {
            verify(endpoint["secret"].as_str().unwrap(), headers, body);
        }
    }

    // The delivery log, and nobody else's endpoint.
    let acme_id = acme_endpoint["id"].as_str().unwrap();
    let (status, log) =
        command_get(&acme_admin, &format!("/v1/webhooks/{acme_id}/deliveries")).await;
    assert_eq!(status, 200);
    let delivery = &log["deliveries"][0];
    assert_eq!(
        (delivery["status"].as_str(), delivery["attempts"].as_i64()),
        (Some("delivered"), Some(1))
    );
    assert_eq!(delivery["last_status"], 200);
    let header_id = acme_receiver.requests.lock().unwrap()[0].0["webhook-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(delivery["id"], header_id.as_str());
    let (status, _) =
        command_get(&globex_admin, &format!("/v1/webhooks/{acme_id}/deliveries")).await;
    assert_eq!(status, 404);
    let (_, listed) = command_get(&globex_admin, "/v1/webhooks").await;
    assert_eq!(listed["endpoints"].as_array().unwrap().len(), 1);
    assert!(
        listed["endpoints"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    assert_eq!(
        globex_admin
            .delete(&format!("/v1/webhooks/{acme_id}"))
            .await
            .status,
        404
    );

    // Admins only, and bad registrations change nothing.
    let agent = stack.session(acme, Uuid::now_v7(), Role::Agent);
    let reply = agent
        .post(
            "/v1/webhooks",
            json!({"url": acme_receiver.url, "event_types": ["*"]}),
        )
        .await;
    assert_eq!(reply.status, 403);
    for bad in [
        json!({"url": "ftp://example.com/", "event_types": ["*"]}),
        json!({"url": acme_receiver.url, "event_types": ["MessageTeleported"]}),
        json!({"url": acme_receiver.url, "event_types": []}),
    ] {
        let reply = acme_admin.post("/v1/webhooks", bad.clone()).await;
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
    }
    let (_, listed) = command_get(&acme_admin, "/v1/webhooks").await;
    assert_eq!(listed["endpoints"].as_array().unwrap().len(), 1);
    stack.stop().await;
}

#[tokio::test]
async fn a_failing_receiver_is_retried_its_dead_letters_kept_and_retried_once_it_recovers() {
    let stack = retrying_stack().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let receiver = Receiver::start().await;
    let endpoint = register(&admin, &receiver, &["ContactUpserted"]).await;
    let id = endpoint["id"].as_str().unwrap();

    // Two failures, then it recovers: the third attempt delivers.
    receiver.failures_left.store(2, Ordering::SeqCst);
    admin.new_contact("Ana").await;
    let delivered = eventually(Duration::from_secs(20), "the third attempt", || async {
        let (_, log) = command_get(&admin, &format!("/v1/webhooks/{id}/deliveries")).await;
        (log["deliveries"][0]["status"] == "delivered").then(|| log["deliveries"][0].clone())
    })
    .await;
    assert_eq!(delivered["attempts"], 3);
    assert_eq!(receiver.requests.lock().unwrap().len(), 3);
    let ids: Vec<String> = receiver
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|(headers, _, _)| headers["webhook-id"].to_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.iter().all(|each| *each == ids[0]),
        "every attempt carries the same webhook-id"
    );

    // Down for good: three attempts, then a dead letter.
    receiver.failures_left.store(-1, Ordering::SeqCst);
    admin.new_contact("Bea").await;
    let dead = eventually(Duration::from_secs(20), "a dead letter", || async {
        let (_, log) =
            command_get(&admin, &format!("/v1/webhooks/{id}/deliveries?status=dead")).await;
        log["deliveries"]
            .as_array()
            .and_then(|dead| dead.first().cloned())
    })
    .await;
    assert_eq!(dead["attempts"], 3);
    assert_eq!(dead["last_status"], 503);
    assert_eq!(receiver.requests.lock().unwrap().len(), 6);

    // It recovers; the admin retries the dead letter.
    receiver.failures_left.store(0, Ordering::SeqCst);
    let dead_id = dead["id"].as_str().unwrap();
    let retried = admin
        .post(
            &format!("/v1/webhooks/{id}/deliveries/{dead_id}/retry"),
            json!({}),
        )
        .await;
    assert_eq!(retried.status, 202, "{}", retried.body);
    eventually(
        Duration::from_secs(20),
        "the retried dead letter delivered",
        || async {
            let (_, log) = command_get(&admin, &format!("/v1/webhooks/{id}/deliveries")).await;
            log["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|delivery| delivery["status"] == "delivered")
                .then_some(())
        },
    )
    .await;
    let last = receiver.bodies().pop().unwrap();
    assert_eq!(last["data"]["payload"]["name"], "Bea");
    let (_, everything) = command_get(&admin, &format!("/v1/webhooks/{id}/deliveries")).await;
    assert_eq!(everything["deliveries"].as_array().unwrap().len(), 2);

    // A deleted endpoint receives nothing more.
    assert_eq!(
        admin.delete(&format!("/v1/webhooks/{id}")).await.status,
        204
    );
    let before = receiver.requests.lock().unwrap().len();
    admin.new_contact("Cleo").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.requests.lock().unwrap().len(), before);
    stack.stop().await;
}
