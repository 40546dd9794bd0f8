//! Fault tests: each starts caselog on a Postgres and nats-server of its own, keeps a
//! steady command load on it, injects one fault, and ends with the oracle (nothing
//! lost, nothing twice, the stream equal to the log, every read model equal to its
//! rebuild). `deploy/dev test` runs the ones named `smoke_…`; `deploy/dev faults` runs
//! them all at full length and writes `docs/RELIABILITY.md` from their rows.

use std::time::Duration;

use uuid::Uuid;

use caselog_platform::settings::LocalNatsUser;
use caselog_schemas::Role;
use caselog_testkit::faults::load::{Ledger, Load, LoadConfig};
use caselog_testkit::faults::oracle::{self, Observed};
use caselog_testkit::faults::proxy::Mode;
use caselog_testkit::faults::report::Row;
use caselog_testkit::faults::stack::FaultStack;
use caselog_testkit::stack::Session;

/// `deploy/dev faults` sets `CASELOG_FAULTS_FULL=1`: longer outages, more repetitions.
fn full() -> bool {
    std::env::var("CASELOG_FAULTS_FULL").is_ok_and(|value| value == "1")
}

/// A tenant with an admin (who writes notes) and a channel gateway.
async fn tenant(stack: &FaultStack) -> (Session, Session) {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&admin, "admin").await;
    (admin, gateway)
}

fn load(admin: &Session, gateway: &Session) -> Load {
    Load::start(gateway, admin, LoadConfig::default())
}

/// The end of every fault test: the load stopped, everything caught up within
/// `catch_up`, the oracle, and the row.
async fn finish(
    stack: &FaultStack,
    fault: &str,
    clients: usize,
    ledger: Ledger,
    recovery: Duration,
) {
    let caught_up = stack
        .time_to_catch_up(Duration::from_secs(60))
        .await
        .expect("relay and projections back to lag 0 within 60 s");
    eprintln!("caught up {caught_up:?} after the load stopped");
    // A passing failure is retried, never set aside: no valid event is a dead letter.
    let (_, projections) = stack
        .status(stack.projection.url(), "/v1/projections")
        .await
        .expect("the projection service answers");
    for projection in projections["projections"].as_array().unwrap() {
        assert_eq!(projection["dead_letters"], 0, "{projection}");
    }
    let verdict = oracle::verdict(stack, &ledger).await;
    let load = format!("{clients} clients, half with idempotency keys");
    Row::new(fault, &load, &ledger, &verdict, recovery).record();
    oracle::check(stack, &verdict).await;
    assert!(
        ledger.acknowledged.len() > 50,
        "the load went on: {:?}",
        ledger.statuses
    );
    assert_eq!(
        ledger.internal_errors(),
        0,
        "no answer was a 500: {:?}",
        ledger.statuses
    );
    assert_eq!(
        ledger.unavailable_without_retry_after, 0,
        "every 503 says when to retry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_postgres_killed_and_restarted_under_load() {
    let stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(100, Duration::from_secs(30)).await;

    stack.postgres.crash().await;
    let outage = if full() { 20 } else { 8 };
    tokio::time::sleep(Duration::from_secs(2)).await;
    for service in [&stack.command, &stack.projection, &stack.query] {
        let (status, body) = stack
            .status(service.url(), "/readyz")
            .await
            .expect("a service answers while Postgres is down");
        assert_eq!(
            (status, &body["postgres"]),
            (503, &serde_json::json!("down"))
        );
    }
    // Queries and operational routes say so too: 503 with Retry-After, never 500.
    let inbox = admin.get("/v1/inbox/team").await;
    assert_eq!(inbox.status, 503, "{}", inbox.body);
    assert!(inbox.headers.contains_key("retry-after"));
    let projections = stack
        .http
        .get(format!("{}/v1/projections", stack.projection.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(projections.status(), 503);
    assert!(projections.headers().contains_key("retry-after"));
    tokio::time::sleep(Duration::from_secs(outage - 2)).await;
    let before = load.acknowledged();
    stack.postgres.start_server().await;
    let back = tokio::time::Instant::now();
    load.until_acknowledged(1, Duration::from_secs(30)).await;
    let recovery = back.elapsed();
    assert!(load.acknowledged() > before, "commands succeed again");
    assert!(
        recovery <= Duration::from_secs(10),
        "commands succeed within 10 s of Postgres being back, took {recovery:?}"
    );
    load.until_acknowledged(100, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    finish(
        &stack,
        "Postgres killed (immediate) and restarted",
        4,
        ledger,
        recovery,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_the_answer_to_commit_lost() {
    let stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    // Enough clients that commits carry several commands each: a lost answer must not
    // have any of them decided again.
    let config = LoadConfig {
        clients: 16,
        pace: Duration::from_millis(5),
        ..LoadConfig::default()
    };
    let load = Load::start(&gateway, &admin, config);
    load.until_acknowledged(50, Duration::from_secs(30)).await;

    // The command service's connection is cut right after each COMMIT goes out: the
    // transaction commits and the service never hears so.
    let cuts = if full() { 50 } else { 10 };
    // Slow round trips fill each group commit with several commands.
    stack
        .command
        .postgres
        .set(Mode::Delay(Duration::from_millis(5)));
    stack.command.postgres.cut_after_commits(cuts);
    let started = tokio::time::Instant::now();
    while stack.command.postgres.commit_cuts_made() < cuts
        && started.elapsed() < Duration::from_secs(90)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        stack.command.postgres.commit_cuts_made(),
        cuts,
        "every cut was made"
    );
    stack.command.postgres.pass();
    let recovered = tokio::time::Instant::now();
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let recovery = recovered.elapsed();
    let ledger = load.stop().await;
    let fault = format!("the answer to COMMIT lost {cuts} times");
    finish(&stack, &fault, 16, ledger, recovery).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_nats_paused_under_load() {
    let stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(50, Duration::from_secs(30)).await;

    stack.nats.pause().await;
    let pause = Duration::from_secs(if full() { 30 } else { 10 });
    let paused = tokio::time::Instant::now();
    let acknowledged_before = load.acknowledged();
    let mut lags = Vec::new();
    let mut query_ready = true;
    while paused.elapsed() < pause {
        tokio::time::sleep(Duration::from_secs(2)).await;
        lags.push(stack.relay_lag().await.expect("the relay reports"));
        let (status, _) = stack
            .status(stack.query.url(), "/readyz")
            .await
            .expect("the query service answers");
        query_ready &= status == 200;
    }
    let (_, relay) = stack
        .status(stack.command.url(), "/v1/relay")
        .await
        .expect("the relay reports");
    // What an operator's dashboard shows meanwhile.
    let command_metrics = stack.metrics(stack.command.url()).await;
    let exported_lag = metric_value(&command_metrics, "caselog_relay_lag_events")
        .expect("the relay lag is exported");
    assert!(
        exported_lag >= *lags.last().unwrap() as f64,
        "{exported_lag} {lags:?}"
    );
    assert!(metric_value(&command_metrics, "caselog_eventlog_writer_queue_depth").is_some());
    let projection_metrics = stack.metrics(stack.projection.url()).await;
    for gauge in [
        "caselog_projection_lag_events",
        "caselog_projection_lag_seconds",
        "caselog_projection_dead_letters",
    ] {
        assert!(
            projection_metrics.contains(gauge),
            "{gauge} in {projection_metrics}"
        );
    }
    let head_at_resume = stack.log_head().await;
    stack.nats.resume().await;
    let recovery = stack
        .time_until_published(head_at_resume, Duration::from_secs(30))
        .await
        .expect("the relay publishes the backlog within 30 s of NATS resuming");

    assert!(
        load.acknowledged() > acknowledged_before + 20,
        "commands are acknowledged while NATS is paused"
    );
    assert!(query_ready, "the query service stays ready without NATS");
    assert!(
        lags.windows(2).all(|pair| pair[1] >= pair[0]) && lags.last() > lags.first(),
        "the relay's lag keeps rising while NATS is paused: {lags:?}"
    );
    assert_eq!(relay["state"], "retrying", "{relay}");
    assert!(relay["error"].is_string(), "{relay}");

    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    assert_eq!(
        ledger
            .statuses
            .keys()
            .filter(|status| !(200..300).contains(*status))
            .count(),
        0,
        "every command answered 2xx throughout: {:?}",
        ledger.statuses
    );
    let fault = format!("nats-server paused (SIGSTOP) {} s", pause.as_secs());
    finish(&stack, &fault, 4, ledger, recovery).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_too_large_for_nats_never_stalls_the_relay() {
    // A server that takes only small messages: an ordinary long note is too large.
    let nats = caselog_testkit::faults::nats::PrivateNats::start_with_max_payload("64KB").await;
    let stack = FaultStack::start_on(nats, &[]).await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(30, Duration::from_secs(30)).await;

    let contact = admin.new_contact("Long Letter").await;
    let case = gateway
        .inbound(contact, "email", "a long one follows")
        .await;
    let long = format!("load long {}", "ç".repeat(30_000));
    let note = admin
        .post(
            &format!("/v1/conversations/{case}/notes"),
            serde_json::json!({"text": long}),
        )
        .await
        .ok();
    let position = note.body["position"].as_i64().unwrap();
    load.until_acknowledged(30, Duration::from_secs(30)).await;
    let recovery = stack
        .time_until_published(position + 1, Duration::from_secs(20))
        .await
        .expect("events after the large one are published");
    let history = admin
        .get(&format!("/v1/conversations/{case}/history"))
        .await
        .ok();
    assert!(
        history.body.to_string().contains(&long),
        "the projection read the large note from the log"
    );
    let ledger = load.stop().await;
    finish(
        &stack,
        "an event larger than NATS max_payload",
        4,
        ledger,
        recovery,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_that_panics_on_one_event() {
    let marker = "the-projector-bug";
    let stack = FaultStack::start_with(&[("CASELOG_TEST_PANIC_ON_TEXT", marker.to_owned())]).await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(30, Duration::from_secs(30)).await;

    let contact = admin.new_contact("Poison").await;
    let case = gateway.inbound(contact, "sms", "hello").await;
    let text = format!("a note that trips {marker}");
    let poison = admin
        .post(
            &format!("/v1/conversations/{case}/notes"),
            serde_json::json!({"text": text}),
        )
        .await
        .ok();
    let position = poison.body["position"].as_i64().unwrap();
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    let recovery = stack
        .time_to_catch_up(Duration::from_secs(60))
        .await
        .expect("every projection passes the poison event and catches up");

    // Set aside where it was applied, with the panic as its error; nothing else was.
    let listed = stack
        .cli(
            "projection-service",
            LocalNatsUser::PROJECTION,
            &["dead-letters", "list"],
        )
        .await;
    let letters: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!letters.is_empty());
    assert!(
        letters.iter().all(|letter| letter["position"] == position
            && letter["error"].as_str().unwrap().contains("panicked")),
        "{letters:?}"
    );
    assert!(
        letters
            .iter()
            .any(|letter| letter["projection"] == "history")
    );
    let (_, status) = stack
        .status(stack.projection.url(), "/v1/projections")
        .await
        .unwrap();
    assert!(
        status["projections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|projection| projection["dead_letters"] == 1),
        "{status}"
    );
    let history = admin
        .get(&format!("/v1/conversations/{case}/history"))
        .await
        .ok();
    assert!(!history.body.to_string().contains(&text), "not applied");

    // After the fix (the CLI runs without the bug), a retry applies it and clears it.
    let retried = stack
        .cli(
            "projection-service",
            LocalNatsUser::PROJECTION,
            &["dead-letters", "retry", "--all"],
        )
        .await;
    for line in String::from_utf8_lossy(&retried.stdout).lines() {
        let report: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(report["dead_letters_after"], 0, "{report}");
    }
    let applied = caselog_testkit::eventually(Duration::from_secs(10), "the retried note", || {
        let admin = admin.clone();
        let path = format!("/v1/conversations/{case}/history");
        let text = text.clone();
        async move {
            let history = admin.get(&path).await.ok();
            history.body.to_string().contains(&text).then_some(())
        }
    });
    applied.await;
    finish(
        &stack,
        "a projector panics on one event",
        4,
        ledger,
        recovery,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_killed_and_its_store_wiped() {
    let mut stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(50, Duration::from_secs(30)).await;

    stack.nats.kill().await;
    stack.nats.wipe_store();
    tokio::time::sleep(Duration::from_secs(if full() { 10 } else { 3 })).await;
    stack.nats.start_server().await;
    // The one operator step (runbook: "NATS lost its store"): the stream and its
    // consumers again; the relay then publishes the whole log from Postgres.
    let head_at_restart = stack.log_head().await;
    stack
        .cli(
            "command-service",
            caselog_testkit::provisioner(),
            &["provision-nats"],
        )
        .await;
    let recovery = stack
        .time_until_published(head_at_restart, Duration::from_secs(60))
        .await
        .expect("the relay publishes the log again into the new stream");
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    let caught_up = stack
        .time_to_catch_up(Duration::from_secs(60))
        .await
        .expect("caught up");
    eprintln!("caught up after {caught_up:?}");

    // Analytics' new consumer sees every event of the log, once, in order.
    let head = stack.log_head().await;
    let seen = oracle::analytics_reads(&stack, Duration::from_secs(3)).await;
    assert_eq!(
        seen,
        (1..=head).collect::<Vec<_>>(),
        "analytics reads the whole log"
    );
    finish(
        &stack,
        "nats-server killed and its store wiped",
        4,
        ledger,
        recovery,
    )
    .await;
}

/// The log's single-writer lock, as `pg_locks` shows an advisory lock ("caselog").
const WRITER_LOCK_KEY: i64 = 0x0063_6173_656c_6f67;

async fn writer_lock_held(stack: &FaultStack) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted \
           AND ((classid::bigint << 32) | objid::bigint) = $1)",
    )
    .bind(WRITER_LOCK_KEY)
    .fetch_one(&stack.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_blackholed_behind_a_half_open_connection() {
    let stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(50, Duration::from_secs(30)).await;

    // Every byte between the command service and Postgres vanishes; both ends keep
    // their connections open.
    stack.command.postgres.blackhole();
    let outage = Duration::from_secs(if full() { 20 } else { 15 });
    tokio::time::sleep(outage - Duration::from_secs(2)).await;
    assert!(
        !writer_lock_held(&stack).await,
        "Postgres ended the silent session and its writer lock"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = load.acknowledged();
    stack.command.postgres.heal();
    let healed = tokio::time::Instant::now();
    load.until_acknowledged(1, Duration::from_secs(30)).await;
    let recovery = healed.elapsed();
    assert!(load.acknowledged() > before, "commands succeed again");
    assert!(
        recovery <= Duration::from_secs(10),
        "recovered in {recovery:?}"
    );
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    assert!(
        ledger.slowest_answer <= Duration::from_secs(12),
        "no request ran past its 10 s time-out: {:?}",
        ledger.slowest_answer
    );
    let fault = format!("Postgres blackholed {} s (half-open)", outage.as_secs());
    finish(&stack, &fault, 4, ledger, recovery).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_connections_reset_again_and_again() {
    let stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let resets = if full() { 10 } else { 5 };
    for _ in 0..resets {
        stack.command.nats.reset_live();
        stack.projection.nats.reset_live();
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    }
    let last_reset = tokio::time::Instant::now();
    let head = stack.log_head().await;
    stack
        .time_until_published(head, Duration::from_secs(30))
        .await
        .expect("the relay publishes again after the resets");
    let recovery = last_reset.elapsed();
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    let fault = format!("NATS connections reset {resets} times");
    finish(&stack, &fault, 4, ledger, recovery).await;
}

/// The value of an unlabelled gauge in Prometheus text.
fn metric_value(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// A pause of 0.3 to 1.5 s, different each time.
fn random_pause() -> Duration {
    Duration::from_millis(rand::random_range(300..1_500))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projection_service_killed_again_and_again() {
    let mut stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let load = load(&admin, &gateway);
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let kills = if full() { 20 } else { 5 };
    for _ in 0..kills {
        tokio::time::sleep(random_pause()).await;
        stack.restart_projection().await;
    }
    let last_kill = tokio::time::Instant::now();
    load.until_acknowledged(50, Duration::from_secs(30)).await;
    let ledger = load.stop().await;
    stack
        .time_to_catch_up(Duration::from_secs(60))
        .await
        .expect("the projections catch up");
    let recovery = last_kill.elapsed();
    let fault = format!("projection service killed -9 {kills} times");
    finish(&stack, &fault, 4, ledger, recovery).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_killed_again_and_again_under_a_long_load() {
    let mut stack = FaultStack::start().await;
    let (admin, gateway) = tenant(&stack).await;
    let config = LoadConfig {
        clients: 8,
        pace: Duration::from_millis(5),
        ..LoadConfig::default()
    };
    let load = Load::start(&gateway, &admin, config);
    let (kills, events) = if full() { (20, 10_000) } else { (5, 2_000) };
    for _ in 0..kills {
        tokio::time::sleep(random_pause()).await;
        // The command service runs the relay: kill it, as in a crash.
        stack.restart_command().await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    while stack.log_head().await < events && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let head = stack.log_head().await;
    assert!(head >= events, "the load wrote {head} events");
    let ledger = load.stop().await;
    let stopped = tokio::time::Instant::now();
    stack
        .time_until_published(stack.log_head().await, Duration::from_secs(60))
        .await
        .expect("the relay publishes everything");
    let recovery = stopped.elapsed();
    let fault = format!("relay (command service) killed -9 {kills} times, {head} events");
    finish(&stack, &fault, 8, ledger, recovery).await;
}
