//! What must hold at the end of every fault test, whatever the fault was:
//!
//! - every acknowledged event is in the log;
//! - no command's effect is in the log twice (each load command's text is unique);
//! - the JetStream stream holds exactly the log, once each, in order;
//! - every read model equals a rebuild of it from the log.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use uuid::Uuid;

use caselog_eventlog::{LogReader, make_readable};
use caselog_platform::settings::LocalNatsUser;
use caselog_schemas::{EventEnvelope, Position, decode_msgpack};

use super::load::Ledger;
use super::stack::FaultStack;

/// A running caselog the oracle can look into: the log's database and the stream.
pub trait Observed {
    /// A superuser pool straight to the database (no proxy).
    fn pool(&self) -> &sqlx::PgPool;
    /// The database as the owner role (what `rebuild` is given).
    fn owner_url(&self) -> String;
    /// NATS, as a client reaches it: one URL, or a cluster's nodes comma-separated.
    fn nats_url(&self) -> String;

    /// The log head, read straight from Postgres.
    fn log_head(&self) -> impl Future<Output = i64> {
        let pool = self.pool().clone();
        async move {
            sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM eventlog.events")
                .fetch_one(&pool)
                .await
                .expect("read the log head")
        }
    }

    /// Runs `binary`'s command-line tool against this system (straight to Postgres and
    /// NATS, as an operator on the host would), with `nats_user`'s credentials.
    fn cli(
        &self,
        binary: &str,
        nats_user: LocalNatsUser,
        args: &[&str],
    ) -> impl Future<Output = std::process::Output> {
        super::stack::run_tool(self.owner_url(), self.nats_url(), binary, nats_user, args)
    }
}

async fn connect(system: &impl Observed, user: LocalNatsUser) -> async_nats::Client {
    let servers: Vec<String> = system.nats_url().split(',').map(str::to_owned).collect();
    crate::nats_login(user)
        .connect(servers)
        .await
        .expect("connect to the test's nats-server")
}

/// Every projection and its schema.
pub const PROJECTIONS: [&str; 5] = ["inbox", "history", "internal_messages", "directory", "chat"];

/// What the oracle counted.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Acknowledged events missing from the log.
    pub lost: usize,
    /// Commands whose effect is in the log more than once.
    pub duplicated: usize,
    pub log_events: usize,
}

/// Counts what the log lost or holds twice against the ledger. Call it once the relay
/// and projections have caught up; then [`check`].
pub async fn verdict(stack: &impl Observed, ledger: &Ledger) -> Verdict {
    check_log(&read_log(stack).await, ledger)
}

/// Checks the verdict, the stream and the read models; panics with what differs.
pub async fn check(stack: &impl Observed, verdict: &Verdict) {
    assert_eq!(verdict.lost, 0, "acknowledged events missing from the log");
    assert_eq!(
        verdict.duplicated, 0,
        "commands whose effect is in the log twice"
    );
    check_stream(stack, &read_log(stack).await).await;
    check_read_models(stack).await;
}

/// The whole log, oldest first, made readable (personal fields opened).
pub async fn read_log(stack: &impl Observed) -> Vec<EventEnvelope> {
    let reader = LogReader::new(stack.pool().clone());
    let mut log = Vec::new();
    loop {
        let after = log
            .last()
            .map_or(Position(0), |e: &EventEnvelope| e.position);
        let mut page = reader.read_after(after, 5_000).await.expect("read the log");
        if page.is_empty() {
            break;
        }
        crate::install_keyring();
        make_readable(stack.pool(), &mut page)
            .await
            .expect("open the log's sealed fields");
        log.extend(page);
    }
    log
}

/// Lost and duplicated, from the log and the ledger alone.
pub fn check_log(log: &[EventEnvelope], ledger: &Ledger) -> Verdict {
    let in_log: HashSet<Uuid> = log.iter().map(|event| event.event_id.0).collect();
    let lost = ledger
        .acknowledged
        .iter()
        .flat_map(|ack| ack.event_ids.iter())
        .filter(|id| !in_log.contains(id))
        .count();
    let mut texts: HashMap<&str, usize> = HashMap::new();
    for event in log {
        // A note's text, or a message's.
        let text = event
            .payload
            .get("text")
            .or_else(|| event.payload.get("content")?.get("text"))
            .and_then(Value::as_str);
        if let Some(text) = text
            && text.starts_with("load ")
        {
            *texts.entry(text).or_default() += 1;
        }
    }
    let duplicated = texts.values().filter(|count| **count > 1).count();
    let missing_texts = ledger
        .texts()
        .filter(|text| !texts.contains_key(text))
        .count();
    if lost + missing_texts > 0 {
        eprintln!(
            "oracle: {lost} acknowledged event ids and {missing_texts} acknowledged texts are \
             not in the log ({} events, {} acknowledged commands)",
            log.len(),
            ledger.acknowledged.len()
        );
    }
    Verdict {
        lost: lost + missing_texts,
        duplicated,
        log_events: log.len(),
    }
}

/// The stream holds the log exactly: the same events, once each, in log order.
pub async fn check_stream(stack: &impl Observed, log: &[EventEnvelope]) {
    let stream = stream_contents(stack, crate::provisioner()).await;
    let expected: Vec<(i64, Uuid)> = log.iter().map(|e| (e.position.0, e.event_id.0)).collect();
    assert_eq!(
        stream.len(),
        expected.len(),
        "the stream holds as many events as the log"
    );
    assert!(
        stream == expected,
        "the stream holds the log's events in log order"
    );
}

/// Every message in the stream as (position, event id), in stream order.
pub async fn stream_contents(stack: &impl Observed, user: LocalNatsUser) -> Vec<(i64, Uuid)> {
    let client = connect(stack, user).await;
    let jetstream = async_nats::jetstream::new(client);
    let stream = jetstream
        .get_stream(&FaultStack::relay_config().stream_name)
        .await
        .expect("the stream exists");
    let total = stream.get_info().await.expect("stream info").state.messages as usize;
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig::default())
        .await
        .expect("an ordered consumer");
    let mut messages = consumer.messages().await.expect("messages");
    let mut seen = Vec::with_capacity(total);
    while seen.len() < total {
        let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .expect("the stream delivers what it holds")
            .expect("the stream goes on")
            .expect("a message");
        let envelope: EventEnvelope =
            decode_msgpack(&message.payload).expect("a MessagePack envelope");
        seen.push((envelope.position.0, envelope.event_id.0));
    }
    seen
}

/// What the analytics durable consumer delivers from where it stands, until it has
/// nothing more for `quiet` (each message acknowledged, as analytics would).
pub async fn analytics_reads(stack: &impl Observed, quiet: Duration) -> Vec<i64> {
    let consumer = analytics_consumer(stack).await;
    let mut messages = consumer.messages().await.expect("messages");
    let mut positions = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(quiet, messages.next()).await {
        let envelope: EventEnvelope =
            decode_msgpack(&message.payload).expect("a MessagePack envelope");
        positions.push(envelope.position.0);
        message.double_ack().await.expect("ack");
    }
    positions
}

/// The same while events keep coming: batch after batch, each message acknowledged,
/// until a batch delivers `through` (none is left delivered and unacknowledged).
pub async fn analytics_reads_through(stack: &impl Observed, through: i64) -> Vec<i64> {
    let consumer = analytics_consumer(stack).await;
    let mut positions: Vec<i64> = Vec::new();
    for _ in 0..1_000 {
        let mut batch = consumer
            .fetch()
            .max_messages(100)
            .expires(Duration::from_secs(2))
            .messages()
            .await
            .expect("a batch");
        while let Some(message) = batch.next().await {
            let message = message.expect("a message");
            let envelope: EventEnvelope =
                decode_msgpack(&message.payload).expect("a MessagePack envelope");
            positions.push(envelope.position.0);
            message.double_ack().await.expect("ack");
        }
        if positions.last().is_some_and(|last| *last >= through) {
            break;
        }
    }
    positions
}

async fn analytics_consumer(
    stack: &impl Observed,
) -> async_nats::jetstream::consumer::PullConsumer {
    let client = connect(stack, LocalNatsUser::ANALYTICS).await;
    async_nats::jetstream::new(client)
        .get_consumer_from_stream("analytics", &FaultStack::relay_config().stream_name)
        .await
        .expect("the analytics consumer exists")
}

/// Each read model, rebuilt from the log, equals the live one.
pub async fn check_read_models(stack: &impl Observed) {
    for name in PROJECTIONS {
        let schema = format!("rm_{name}");
        let live = snapshot(stack.pool(), &schema).await;
        let output = stack
            .cli(
                "projection-service",
                LocalNatsUser::PROJECTION,
                &["rebuild", name],
            )
            .await;
        assert!(output.status.success());
        let rebuilt = snapshot(stack.pool(), &schema).await;
        assert!(rebuilt == live, "the rebuilt {name} equals the live one");
    }
}

/// Every row of every table of a schema, in a stable order.
pub async fn snapshot(pool: &sqlx::PgPool, schema: &str) -> Value {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .expect("list the tables");
    let mut all = serde_json::Map::new();
    for table in tables {
        let rows: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(json_agg(t ORDER BY t::text), '[]'::json) FROM {schema}.{table} t"
        )))
        .fetch_one(pool)
        .await
        .expect("read a table");
        all.insert(table, rows);
    }
    Value::Object(all)
}
