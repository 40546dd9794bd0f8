//! caselog beyond one machine: a three-node JetStream cluster (stream and consumers on
//! three replicas) and two instances of every service, with a fault injected under a
//! steady load through both command instances. Each ends with the fault oracle: nothing
//! lost, nothing twice, the stream equal to the log, every read model equal to its
//! rebuild. `deploy/dev test` runs the `smoke_…` one; `deploy/dev faults` runs them all.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::faults::cluster::{ClusterStack, REPLICAS};
use caselog_testkit::faults::load::{Ledger, Load, LoadConfig};
use caselog_testkit::faults::oracle::{self, Observed};
use caselog_testkit::faults::report::Row;
use caselog_testkit::stack::Session;

fn full() -> bool {
    std::env::var("CASELOG_FAULTS_FULL").is_ok_and(|value| value == "1")
}

/// A tenant's admin (who writes notes) and channel gateway, speaking to command
/// instance 0 and query instance 0.
async fn tenant(stack: &ClusterStack) -> (Session, Session) {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin, 0, 0);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration, 0, 0);
    admin.register(&admin, "admin").await;
    (admin, gateway)
}

/// One load through each command instance, as a load balancer would spread clients.
fn loads(stack: &ClusterStack, admin: &Session, gateway: &Session) -> Vec<Option<Load>> {
    stack
        .commands
        .iter()
        .map(|command| {
            Some(Load::start(
                &gateway.through(command),
                &admin.through(command),
                LoadConfig {
                    clients: 2,
                    ..LoadConfig::default()
                },
            ))
        })
        .collect()
}

fn acknowledged(loads: &[Option<Load>]) -> usize {
    loads.iter().flatten().map(Load::acknowledged).sum()
}

async fn until_acknowledged(loads: &[Option<Load>], more: usize, within: Duration) {
    let target = acknowledged(loads) + more;
    let deadline = Instant::now() + within;
    while acknowledged(loads) < target && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn stop(loads: Vec<Option<Load>>) -> Ledger {
    let mut ledger = Ledger::default();
    for load in loads.into_iter().flatten() {
        ledger = ledger.merge(load.stop().await);
    }
    ledger
}

/// Waits until `done` holds, checking every 50 ms; how long it took, or `None` after
/// `within`.
async fn time_until<F, Fut>(within: Duration, mut done: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if done().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn finish(stack: &ClusterStack, fault: &str, ledger: Ledger, recovery: Duration) {
    let caught_up = stack
        .time_to_catch_up(Duration::from_secs(60))
        .await
        .expect("relay and projections back to the log head within 60 s");
    eprintln!("caught up {caught_up:?} after the load stopped");
    assert_eq!(
        stack.dead_letters().await,
        0,
        "no valid event is a dead letter"
    );
    let verdict = oracle::verdict(stack, &ledger).await;
    let load = "2 command instances × 2 clients, half with idempotency keys";
    Row::new(fault, load, &ledger, &verdict, recovery).record();
    oracle::check(stack, &verdict).await;
    assert!(
        ledger.acknowledged.len() > 50,
        "the load went on: {:?}",
        ledger.statuses
    );
    assert_eq!(ledger.internal_errors(), 0, "no 500: {:?}", ledger.statuses);
    assert_eq!(
        ledger.unavailable_without_retry_after, 0,
        "every 503 says when to retry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_cluster_relay_and_projection_owners_killed_under_load() {
    let mut stack = ClusterStack::start(2, &[]).await;
    // CASELOG_NATS_REPLICAS on a real cluster: the stream and every consumer have a
    // copy on each node.
    let jetstream = async_nats::jetstream::new(
        caselog_testkit::nats_login(caselog_testkit::provisioner())
            .connect(stack.nats_url().split(',').collect::<Vec<_>>())
            .await
            .unwrap(),
    );
    let mut stream = jetstream.get_stream("CASELOG").await.unwrap();
    let info = stream.info().await.unwrap().clone();
    assert_eq!(info.config.num_replicas, REPLICAS);
    assert_eq!(info.cluster.unwrap().replicas.len(), REPLICAS - 1);
    let mut consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.get_consumer("projections").await.unwrap();
    let consumer_info = consumer.info().await.unwrap();
    assert_eq!(
        consumer_info.cluster.as_ref().unwrap().replicas.len(),
        REPLICAS - 1
    );

    let (admin, gateway) = tenant(&stack).await;
    let mut loads = loads(&stack, &admin, &gateway);
    until_acknowledged(&loads, 60, Duration::from_secs(30)).await;

    // The command instance holding the relay dies; its clients go to the other (a load
    // balancer's doing), and the other's relay publishes within 5 s.
    let holder = stack.relay_holder().await.expect("one relay publishes");
    let other = 1 - holder;
    let holder_ledger = loads[holder].take().unwrap().stop().await;
    stack.commands[holder].kill().await;
    let head = stack.log_head().await;
    let relay_recovery = time_until(Duration::from_secs(10), || async {
        stack.relay_holder().await == Some(other) && stack.published().await >= Some(head)
    })
    .await
    .expect("the other command instance takes over the relay");
    eprintln!("relay taken over and published to {head} in {relay_recovery:?}");
    assert!(
        relay_recovery <= Duration::from_secs(5),
        "the other instance publishes within 5 s, took {relay_recovery:?}"
    );
    until_acknowledged(&loads, 40, Duration::from_secs(30)).await;

    // The projection instance applying the projections dies; the other takes every one
    // over and applies what the first left within 10 s.
    time_until(Duration::from_secs(10), || async {
        let owned: usize = futures::future::join_all(
            (0..stack.projections.len()).map(|i| stack.projections_owned_by(i)),
        )
        .await
        .iter()
        .map(Vec::len)
        .sum();
        owned == oracle::PROJECTIONS.len()
    })
    .await
    .expect("each projection is applied by exactly one instance");
    let owner = usize::from(stack.projections_owned_by(0).await.is_empty());
    let survivor = 1 - owner;
    stack.projections[owner].kill().await;
    let head = stack.log_head().await;
    let projection_recovery = time_until(Duration::from_secs(20), || async {
        stack.projections_owned_by(survivor).await.len() == oracle::PROJECTIONS.len()
            && stack
                .projection_positions()
                .await
                .iter()
                .all(|position| *position >= head)
    })
    .await
    .expect("the other projection instance takes over");
    eprintln!("projections taken over and at {head} in {projection_recovery:?}");
    assert!(
        projection_recovery <= Duration::from_secs(10),
        "the other instance applies within 10 s, took {projection_recovery:?}"
    );
    // Reads through either query instance see the survivor's work.
    until_acknowledged(&loads, 40, Duration::from_secs(30)).await;
    let ledger = stop(loads).await.merge(holder_ledger);
    for query in 0..stack.queries.len() {
        let reader = stack.session(admin.tenant, admin.user, Role::Admin, other, query);
        reader.observe(
            ledger
                .acknowledged
                .iter()
                .map(|a| a.position)
                .max()
                .unwrap(),
        );
        assert_eq!(reader.get("/v1/inbox/team").await.status, 200);
    }
    finish(
        &stack,
        "cluster: relay holder killed, then projection owner killed",
        ledger,
        relay_recovery.max(projection_recovery),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_nats_node_killed_and_restarted_under_load() {
    let mut stack = ClusterStack::start(2, &[]).await;
    let (admin, gateway) = tenant(&stack).await;
    let loads = loads(&stack, &admin, &gateway);
    until_acknowledged(&loads, 60, Duration::from_secs(30)).await;
    // Analytics reads what is published so far, acknowledging each message.
    let published = stack.published().await.expect("a relay publishes");
    let before = oracle::analytics_reads_through(&stack, published).await;
    assert!(before.contains(&published), "{before:?}");

    // The node leading the stream dies hard; the other two elect a new leader.
    let leader = stack
        .nats
        .stream_leader("CASELOG")
        .await
        .expect("the stream has a leader");
    stack.nats.kill(leader).await;
    let killed = Instant::now();
    let published_at_kill = stack.published().await.unwrap_or(0);
    // Commands never wait for NATS: they go on at once.
    let acknowledged_at_kill = acknowledged(&loads);
    until_acknowledged(&loads, 20, Duration::from_secs(10)).await;
    assert!(
        acknowledged(&loads) > acknowledged_at_kill,
        "commands succeed while a node is down"
    );
    // The relay publishes again once the two nodes left have a new stream leader.
    let recovery = time_until(Duration::from_secs(30), || async {
        stack.published().await > Some(published_at_kill)
    })
    .await
    .expect("the relay publishes to the two nodes left");
    eprintln!("publishing again {recovery:?} after the stream leader died");
    let outage = Duration::from_secs(if full() { 20 } else { 6 });
    tokio::time::sleep(outage.saturating_sub(killed.elapsed())).await;
    stack.nats.restart(leader).await;
    until_acknowledged(&loads, 60, Duration::from_secs(30)).await;
    let ledger = stop(loads).await;
    stack.time_to_catch_up(Duration::from_secs(60)).await;

    // Analytics continues where it was: with what it read before, every event once.
    let head = stack.log_head().await;
    let after = oracle::analytics_reads(&stack, Duration::from_secs(3)).await;
    let seen: Vec<i64> = before.iter().chain(after.iter()).copied().collect();
    assert_eq!(
        seen,
        (1..=head).collect::<Vec<_>>(),
        "analytics reads the whole log across the node's death, once each, in order"
    );
    finish(
        &stack,
        "cluster: the stream's leader node killed -9 and restarted",
        ledger,
        recovery,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_query_instance_killed_and_caches_agree() {
    let mut stack = ClusterStack::start(2, &[]).await;
    let (admin, gateway) = tenant(&stack).await;
    let loads = loads(&stack, &admin, &gateway);
    until_acknowledged(&loads, 40, Duration::from_secs(30)).await;

    // Each instance caches the inbox; a write through either command instance is seen
    // by both the moment the caller's X-Min-Position says so, never a cached older one.
    let through = |command: usize, query: usize| {
        stack.session(admin.tenant, admin.user, Role::Admin, command, query)
    };
    let inbox_count = |session: Session| async move {
        let reply = session.get("/v1/inbox/team?limit=200").await.ok();
        reply.items().len()
    };
    let writer_gateway =
        |command: usize| stack.session(gateway.tenant, gateway.user, Role::Integration, command, 0);
    let rounds = if full() { 20 } else { 6 };
    for round in 0..rounds {
        let (a, b) = (through(0, 0), through(0, 1));
        let before = (inbox_count(a.clone()).await, inbox_count(b.clone()).await);
        let contact = admin.new_contact(&format!("Cache round {round}")).await;
        let writer = writer_gateway(round % 2);
        writer.observe(admin.newest_position());
        writer.inbound(contact, "webchat", "a new case").await;
        let position = writer.newest_position();
        a.observe(position);
        b.observe(position);
        let after = (inbox_count(a).await, inbox_count(b).await);
        assert_eq!(after.0, after.1, "both instances answer alike");
        assert!(
            after.0 > before.0.min(before.1),
            "round {round}: {before:?} -> {after:?}"
        );
    }

    let survivor = through(1, 1);
    stack.queries[0].kill().await;
    let killed = Instant::now();
    for _ in 0..20 {
        let reply = survivor.get("/v1/inbox/team").await;
        assert_eq!(
            reply.status, 200,
            "the other query instance keeps answering"
        );
    }
    let recovery = killed.elapsed();
    until_acknowledged(&loads, 40, Duration::from_secs(30)).await;
    let ledger = stop(loads).await;
    finish(&stack, "cluster: a query instance killed", ledger, recovery).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_auto_close_closes_each_conversation_once_across_instances() {
    let stack = ClusterStack::start(2, &[]).await;
    let (admin, gateway) = tenant(&stack).await;
    admin
        .patch("/v1/settings", json!({"auto_close_seconds": 2}))
        .await
        .ok();
    let loads = loads(&stack, &admin, &gateway);
    let cases = if full() { 40 } else { 12 };
    let mut conversations = Vec::new();
    for n in 0..cases {
        // Spread over both command instances: each runs the auto-close scheduler.
        let command = n % 2;
        let admin = admin.through(&stack.commands[command]);
        let gateway = gateway.through(&stack.commands[command]);
        let contact = admin.new_contact(&format!("Auto-close {n}")).await;
        let id = gateway.inbound(contact, "sms", "hello").await;
        admin
            .post(&format!("/v1/conversations/{id}/resolve"), json!({}))
            .await
            .ok();
        conversations.push(id);
    }
    let closed_counts = || async {
        let mut counts = Vec::new();
        for id in &conversations {
            let closed: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM eventlog.events \
                 WHERE stream_id = $1::uuid AND event_type = 'ConversationClosed'",
            )
            .bind(id)
            .fetch_one(&stack.pool)
            .await
            .unwrap();
            counts.push(closed);
        }
        counts
    };
    let recovery = time_until(Duration::from_secs(30), || async {
        closed_counts().await.iter().all(|count| *count >= 1)
    })
    .await
    .expect("every resolved conversation is closed");
    // Both schedulers keep running past the due times: still once each.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        closed_counts().await,
        vec![1; cases],
        "closed exactly once each"
    );
    let ledger = stop(loads).await;
    finish(
        &stack,
        "cluster: auto-close run by two command instances",
        ledger,
        recovery,
    )
    .await;
}
