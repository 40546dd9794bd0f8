//! A steady command load, as careful clients send it, with a ledger of everything the
//! services acknowledged.
//!
//! Each client sends customers' messages (`POST /v1/inbound-messages`) and private
//! notes on the conversations they started, each with a text no other command has.
//! Half the commands carry an `Idempotency-Key`: a `503`, a connection error or a
//! time-out is retried with the same key (after the `Retry-After` it got, capped). The
//! other half are sent once, as many clients do: any effect they have twice is the
//! services' doing. Every status answered, on every try, is counted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::stack::Session;

/// One command the services acknowledged (2xx).
#[derive(Debug, Clone)]
pub struct Acknowledged {
    pub idempotency_key: String,
    /// Unique to this command: its effect must be in the log exactly once.
    pub text: String,
    pub conversation: String,
    pub position: i64,
    pub event_ids: Vec<Uuid>,
}

/// What the load saw.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub acknowledged: Vec<Acknowledged>,
    /// Every answer by status code, on every try (0: no answer at all).
    pub statuses: BTreeMap<u16, u64>,
    /// Commands given up on: no 2xx before the deadline, or a final 4xx/5xx.
    pub unfinished: Vec<(String, u16)>,
    /// 503 answers that came without `Retry-After`.
    pub unavailable_without_retry_after: u64,
    /// The longest any one try waited for its answer.
    pub slowest_answer: Duration,
}

impl Ledger {
    /// Answers 500 (an internal error), on any try.
    pub fn internal_errors(&self) -> u64 {
        self.statuses.get(&500).copied().unwrap_or(0)
    }

    /// Answers 5xx of any kind, on any try.
    pub fn server_errors(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| (500..600).contains(*status))
            .map(|(_, count)| count)
            .sum()
    }

    /// This ledger and another load's, as one.
    pub fn merge(mut self, other: Ledger) -> Ledger {
        self.acknowledged.extend(other.acknowledged);
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.unfinished.extend(other.unfinished);
        self.unavailable_without_retry_after += other.unavailable_without_retry_after;
        self.slowest_answer = self.slowest_answer.max(other.slowest_answer);
        self
    }

    /// Every text the load sent and was acknowledged for.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.acknowledged.iter().map(|ack| ack.text.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct LoadConfig {
    pub clients: usize,
    /// Pause between one client's commands.
    pub pace: Duration,
    /// How long a command is retried before the client gives up on it.
    pub give_up_after: Duration,
}

impl Default for LoadConfig {
    fn default() -> Self {
        Self {
            clients: 4,
            pace: Duration::from_millis(20),
            give_up_after: Duration::from_secs(60),
        }
    }
}

/// A running load; `stop` ends it and returns the ledger.
pub struct Load {
    ledger: Arc<Mutex<Ledger>>,
    stop: CancellationToken,
    clients: JoinSet<()>,
}

impl Load {
    /// Starts `config.clients` clients; `gateway` delivers customers' messages (role
    /// integration) and `agent` writes notes (role admin or agent of the same tenant).
    pub fn start(gateway: &Session, agent: &Session, config: LoadConfig) -> Self {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = CancellationToken::new();
        let mut clients = JoinSet::new();
        for client in 0..config.clients {
            let worker = Client {
                number: client,
                gateway: gateway.clone(),
                agent: agent.clone(),
                http: caselog_platform::connect::http_client()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .expect("an HTTP client"),
                ledger: ledger.clone(),
                config: config.clone(),
            };
            clients.spawn(worker.run(stop.clone()));
        }
        Self {
            ledger,
            stop,
            clients,
        }
    }

    /// Commands acknowledged so far.
    pub fn acknowledged(&self) -> usize {
        self.ledger.lock().unwrap().acknowledged.len()
    }

    /// Waits until `n` more commands are acknowledged (or `within` passes).
    pub async fn until_acknowledged(&self, n: usize, within: Duration) {
        let target = self.acknowledged() + n;
        let deadline = tokio::time::Instant::now() + within;
        while self.acknowledged() < target && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the clients (each finishes the command it is on) and returns the ledger.
    pub async fn stop(mut self) -> Ledger {
        self.stop.cancel();
        while self.clients.join_next().await.is_some() {}
        self.ledger.lock().unwrap().clone()
    }
}

struct Client {
    number: usize,
    gateway: Session,
    agent: Session,
    http: reqwest::Client,
    ledger: Arc<Mutex<Ledger>>,
    config: LoadConfig,
}

impl Client {
    async fn run(self, stop: CancellationToken) {
        let contact = Uuid::now_v7();
        let created = self
            .send(
                &self.agent,
                "PUT",
                &format!("/v1/contacts/{contact}"),
                &json!({"name": format!("Load client {}", self.number)}),
                None,
                true,
            )
            .await;
        if created.is_none() {
            return;
        }
        let mut conversation: Option<String> = None;
        let mut sent = 0u64;
        while !stop.is_cancelled() {
            sent += 1;
            let text = format!("load {} {} {}", self.number, sent, Uuid::now_v7().simple());
            // Every third command a customer's message; the rest, notes on the case.
            let (session, path, body) = match &conversation {
                Some(case) if !sent.is_multiple_of(3) => (
                    &self.agent,
                    format!("/v1/conversations/{case}/notes"),
                    json!({"text": text}),
                ),
                _ => (
                    &self.gateway,
                    "/v1/inbound-messages".to_owned(),
                    json!({"contact_id": contact, "channel": "webchat", "text": text}),
                ),
            };
            let retried = sent.is_multiple_of(2);
            if let Some(reply) = self
                .send(session, "POST", &path, &body, Some(&text), retried)
                .await
            {
                conversation = Some(reply.conversation);
            }
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep(self.config.pace) => {}
            }
        }
    }

    /// Sends one command (`retried`: with an idempotency key, until it is answered
    /// finally); records what happened. A command with a `text` is one whose effect the
    /// oracle looks for.
    async fn send(
        &self,
        session: &Session,
        method: &str,
        path: &str,
        body: &Value,
        text: Option<&str>,
        retried: bool,
    ) -> Option<Acknowledged> {
        let key = format!("load-{}", Uuid::now_v7());
        let deadline = tokio::time::Instant::now() + self.config.give_up_after;
        let mut last_status = 0;
        while tokio::time::Instant::now() < deadline {
            let mut request = self
                .http
                .request(
                    method.parse().expect("an HTTP method"),
                    format!("{}{path}", session.command_url()),
                )
                .bearer_auth(&session.token)
                .json(body);
            if retried {
                request = request.header("Idempotency-Key", &key);
            }
            let sent = tokio::time::Instant::now();
            let answer = request.send().await;
            let (status, retry_after, reply) = match answer {
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.parse::<u64>().ok());
                    let reply: Value = response.json().await.unwrap_or(Value::Null);
                    (status.as_u16(), retry_after, reply)
                }
                Err(_) => (0, None, Value::Null),
            };
            let waited = sent.elapsed();
            last_status = status;
            {
                let mut ledger = self.ledger.lock().unwrap();
                ledger.slowest_answer = ledger.slowest_answer.max(waited);
                *ledger.statuses.entry(status).or_default() += 1;
                if status == 503 && retry_after.is_none() {
                    ledger.unavailable_without_retry_after += 1;
                }
            }
            if StatusCode::from_u16(status).is_ok_and(|s| s.is_success()) {
                let ack = Acknowledged {
                    idempotency_key: key,
                    text: text.unwrap_or_default().to_owned(),
                    conversation: reply["stream_id"].as_str().unwrap_or_default().to_owned(),
                    position: reply["position"].as_i64().unwrap_or_default(),
                    event_ids: reply["events"]
                        .as_array()
                        .map(|events| {
                            events
                                .iter()
                                .filter_map(|e| e["event_id"].as_str()?.parse().ok())
                                .collect()
                        })
                        .unwrap_or_default(),
                };
                session.observe(ack.position);
                if text.is_some() {
                    self.ledger.lock().unwrap().acknowledged.push(ack.clone());
                }
                return Some(ack);
            }
            if !retried || (status != 0 && status != 503) {
                break;
            }
            let pause = Duration::from_secs(retry_after.unwrap_or(1)).min(Duration::from_secs(1));
            tokio::time::sleep(pause).await;
        }
        self.ledger
            .lock()
            .unwrap()
            .unfinished
            .push((text.unwrap_or(path).to_owned(), last_status));
        None
    }
}
