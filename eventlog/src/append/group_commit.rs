//! The group-commit writer: one task per process that takes every append waiting at
//! that moment and writes them in one transaction (README "The event log").
//!
//! While one batch is committing (waiting on fsync), new appends queue up in the
//! channel; the next batch takes them all. Under load, each fsync therefore pays for
//! many commands, and under no load an append waits for nobody.

use std::sync::Arc;
use std::time::Instant;

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{Instrument, warn};

use caselog_schemas::Position;

use super::batch::{WRITER_LOCK_KEY, write_batch};
use super::plan::{BatchPlan, Rejection};
use crate::error::AppendError;
use crate::model::{AppendOutcome, AppendRequest};
use crate::validate::validate;

/// Limits of one group commit.
#[derive(Debug, Clone)]
pub struct WriterConfig {
    /// Most appends (commands) in one transaction.
    pub max_batch_appends: usize,
    /// Most events in one transaction; a batch stops growing once it reaches this.
    pub max_batch_events: usize,
    /// Appends that may wait for the writer before callers feel backpressure.
    pub queue_capacity: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            max_batch_appends: 1_000,
            max_batch_events: 5_000,
            queue_capacity: 10_000,
        }
    }
}

struct PendingAppend {
    request: AppendRequest,
    reply: oneshot::Sender<Result<AppendOutcome, AppendError>>,
    span: tracing::Span,
}

/// A handle for appending to the log. Cheap to clone; the writer task stops when the
/// last handle is dropped, after finishing what is queued.
#[derive(Clone)]
pub struct EventLog {
    pool: PgPool,
    queue: mpsc::Sender<PendingAppend>,
    head: Arc<watch::Sender<Position>>,
}

impl EventLog {
    /// Starts the writer task on the current runtime. `head` receives the log head
    /// after every commit, for tailing readers in this process.
    pub fn start(pool: PgPool, config: WriterConfig, head: Arc<watch::Sender<Position>>) -> Self {
        let (queue, receiver) = mpsc::channel(config.queue_capacity);
        tokio::spawn(run_writer(pool.clone(), receiver, config, head.clone()));
        Self { pool, queue, head }
    }

    /// Appends one command's events atomically, checking the expected version and the
    /// idempotency key. Resolves once the events are durably committed.
    #[tracing::instrument(
        name = "eventlog.append",
        skip_all,
        fields(stream_type = %request.stream.stream_type, stream_id = %request.stream.stream_id, events = request.events.len())
    )]
    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, AppendError> {
        validate(&request)?;
        let (reply, outcome) = oneshot::channel();
        let pending = PendingAppend {
            request,
            reply,
            span: tracing::Span::current(),
        };
        self.queue
            .send(pending)
            .await
            .map_err(|_| AppendError::WriterStopped)?;
        metrics::gauge!("caselog_eventlog_writer_queue_depth")
            .set((self.queue.max_capacity() - self.queue.capacity()) as f64);
        outcome.await.map_err(|_| AppendError::WriterStopped)?
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Follows the log head as this process commits.
    pub fn watch_head(&self) -> watch::Receiver<Position> {
        self.head.subscribe()
    }
}

async fn run_writer(
    pool: PgPool,
    mut receiver: mpsc::Receiver<PendingAppend>,
    config: WriterConfig,
    head: Arc<watch::Sender<Position>>,
) {
    while let Some(first) = receiver.recv().await {
        let mut events = first.request.events.len();
        let mut batch = vec![first];
        while batch.len() < config.max_batch_appends && events < config.max_batch_events {
            match receiver.try_recv() {
                Ok(next) => {
                    events += next.request.events.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        metrics::gauge!("caselog_eventlog_writer_queue_depth").set(receiver.len() as f64);
        commit_and_reply(&pool, batch, &head).await;
    }
}

async fn commit_and_reply(
    pool: &PgPool,
    batch: Vec<PendingAppend>,
    head: &watch::Sender<Position>,
) {
    let span = tracing::info_span!("eventlog.group_commit", appends = batch.len());
    // Each waiting command's own trace shows it took part in this commit.
    for pending in &batch {
        span.follows_from(&pending.span);
    }
    let started = Instant::now();
    let requests: Vec<&AppendRequest> = batch.iter().map(|pending| &pending.request).collect();
    let result = commit(pool, &requests).instrument(span).await;

    match result {
        Ok(plan) => {
            metrics::histogram!("caselog_eventlog_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            metrics::histogram!("caselog_eventlog_batch_appends").record(batch.len() as f64);
            metrics::counter!("caselog_eventlog_appended_events_total")
                .increment(plan.rows.len() as u64);
            reply(batch, plan, head);
        }
        // The outcome is unknown: answering "failed" for appends that are in fact
        // committed would have them decided again into a second event. Nobody is
        // answered until the log itself says which it was.
        Err(Failure::AtCommit(plan, error)) => match committed(pool, &plan).await {
            Ok(true) => {
                warn!(%error, "the commit's answer was lost, but the batch is in the log");
                reply(batch, plan, head);
            }
            Ok(false) => retry_alone(pool, batch, error, head).await,
            Err(check) => {
                warn!(%error, %check, "the commit's answer was lost and the log cannot be asked");
                for pending in batch {
                    let _ = pending
                        .reply
                        .send(Err(AppendError::OutcomeUnknown(error.to_string())));
                }
            }
        },
        Err(Failure::BeforeCommit(error)) => retry_alone(pool, batch, error, head).await,
    }
}

/// Answers every append of a committed batch.
fn reply(batch: Vec<PendingAppend>, plan: BatchPlan, head: &watch::Sender<Position>) {
    head.send_if_modified(|current| advance(current, plan.head));
    for (pending, result) in batch.into_iter().zip(plan.results) {
        let _ = pending.reply.send(result.map_err(rejection_to_error));
    }
}

/// After a batch failed without committing: one request must not sink the others, so
/// each is committed on its own (a batch of one just gets the error).
async fn retry_alone(
    pool: &PgPool,
    batch: Vec<PendingAppend>,
    error: sqlx::Error,
    head: &watch::Sender<Position>,
) {
    if batch.len() == 1 {
        let pending = batch.into_iter().next().expect("a batch is never empty");
        let _ = pending.reply.send(Err(AppendError::Database(error)));
        return;
    }
    warn!(%error, appends = batch.len(), "group commit failed, retrying its appends one by one");
    for pending in batch {
        let reply = match commit(pool, &[&pending.request]).await {
            Ok(plan) => {
                head.send_if_modified(|current| advance(current, plan.head));
                first_result(plan)
            }
            Err(Failure::AtCommit(plan, error)) => match committed(pool, &plan).await {
                Ok(true) => {
                    head.send_if_modified(|current| advance(current, plan.head));
                    first_result(plan)
                }
                Ok(false) => Err(AppendError::Database(error)),
                Err(_) => Err(AppendError::OutcomeUnknown(error.to_string())),
            },
            Err(Failure::BeforeCommit(error)) => Err(AppendError::Database(error)),
        };
        let _ = pending.reply.send(reply);
    }
}

fn first_result(plan: BatchPlan) -> Result<AppendOutcome, AppendError> {
    plan.results
        .into_iter()
        .next()
        .expect("one result per request")
        .map_err(rejection_to_error)
}

/// How a group commit failed.
enum Failure {
    /// Before `COMMIT` was sent: the transaction is rolled back.
    BeforeCommit(sqlx::Error),
    /// `COMMIT` was sent and no answer came back: it may or may not have committed.
    AtCommit(BatchPlan, sqlx::Error),
}

/// The longest one step of a group commit (begin, write, commit) may take before the
/// writer gives up on it: a connection that went quiet (a half-open network path)
/// must not hold every command of the process. Longer than the services'
/// `lock_timeout` (10 s), so a writer that is merely queued behind others for the
/// writer lock hears that from Postgres first. Postgres ends the abandoned session's
/// transaction, and with it the writer lock, by `idle_in_transaction_session_timeout`.
const STEP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

async fn bounded<T>(step: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, sqlx::Error> {
    tokio::time::timeout(STEP_TIMEOUT, step)
        .await
        .unwrap_or_else(|_| {
            Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "Postgres did not answer within the group commit's step time-out",
            )))
        })
}

async fn commit(pool: &PgPool, requests: &[&AppendRequest]) -> Result<BatchPlan, Failure> {
    let mut transaction = bounded(pool.begin()).await.map_err(Failure::BeforeCommit)?;
    let plan = bounded(write_batch(&mut transaction, requests))
        .await
        .map_err(Failure::BeforeCommit)?;
    match bounded(transaction.commit()).await {
        Ok(()) => Ok(plan),
        Err(error) => Err(Failure::AtCommit(plan, error)),
    }
}

/// Whether a batch whose commit went unanswered is in the log: its first event is
/// looked up on a fresh connection, for a while if Postgres is restarting. A batch
/// that appends nothing changed nothing, so it counts as committed.
async fn committed(pool: &PgPool, plan: &BatchPlan) -> Result<bool, sqlx::Error> {
    let Some(first) = plan.rows.first() else {
        return Ok(true);
    };
    let mut last_error = None;
    let deadline = tokio::time::Instant::now() + OUTCOME_CHECK_TIME;
    for attempt in 0..OUTCOME_CHECKS {
        if attempt > 0 {
            tokio::time::sleep(OUTCOME_CHECK_PAUSE).await;
        }
        if tokio::time::Instant::now() >= deadline {
            break;
        }
        match bounded(landed(pool, first.event_id.0)).await {
            Ok(found) => return Ok(found),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or(sqlx::Error::PoolTimedOut))
}

/// Whether the event is in the log, asked under the writer lock: the unanswered
/// transaction holds that lock until Postgres has finished it (its `COMMIT` may still
/// be on its way when the answer is already lost), so the lock is the moment its
/// outcome is final.
async fn landed(pool: &PgPool, event_id: uuid::Uuid) -> Result<bool, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITER_LOCK_KEY)
        .execute(&mut *transaction)
        .await?;
    let found =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM eventlog.events WHERE event_id = $1)")
            .bind(event_id)
            .fetch_one(&mut *transaction)
            .await?;
    transaction.rollback().await?;
    Ok(found)
}

/// How long the writer keeps asking the log whether an unanswered commit landed.
const OUTCOME_CHECKS: u32 = 10;
const OUTCOME_CHECK_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);
/// ... and for no longer than this in all: meanwhile nothing else is appended.
const OUTCOME_CHECK_TIME: std::time::Duration = std::time::Duration::from_secs(10);

fn advance(current: &mut Position, committed: Position) -> bool {
    if committed > *current {
        *current = committed;
        true
    } else {
        false
    }
}

fn rejection_to_error(rejection: Rejection) -> AppendError {
    match rejection {
        Rejection::Conflict { expected, actual } => AppendError::Conflict { expected, actual },
        Rejection::IdempotencyKeyReused => AppendError::IdempotencyKeyReused,
    }
}
