//! The live runner of one projection: a durable JetStream pull consumer feeds batches
//! to [`super::batch`]; messages are acknowledged only after their transaction commits,
//! so a crash redelivers them and the checkpoint turns the redelivery into a no-op.
//!
//! When no message arrives for a while yet the log is ahead of the checkpoint (the
//! stream lost its tail, or NATS is unreachable), the runner reads the log directly:
//! Postgres, not NATS, is the source of truth.

use std::collections::HashMap;
use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::LogReader;
use caselog_schemas::{EventEnvelope, Position, SubjectRoot, decode_msgpack};

use super::batch::{self, BatchError, Poisoned};
use crate::projections::Projection;

/// Tries before an event is set aside as a dead letter.
pub const MAX_ATTEMPTS: u32 = 3;
const BATCH: usize = 500;

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub stream_name: String,
    pub subjects: SubjectRoot,
    /// How long without a message before the runner checks the log itself.
    pub idle_check: Duration,
}

pub struct LiveRunner {
    projection: Projection,
    pool: PgPool,
    reader: LogReader,
    jetstream: jetstream::Context,
    config: RunnerConfig,
    attempts: HashMap<i64, u32>,
    poisoned: Poisoned,
}

impl LiveRunner {
    pub fn new(
        projection: Projection,
        pool: PgPool,
        nats: async_nats::Client,
        config: RunnerConfig,
    ) -> Self {
        Self {
            projection,
            reader: LogReader::new(pool.clone()),
            pool,
            jetstream: jetstream::new(nats),
            config,
            attempts: HashMap::new(),
            poisoned: Poisoned::new(),
        }
    }

    /// Consumes until `shutdown`, reconnecting after errors.
    pub async fn run(mut self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(error) = self.consume(&shutdown).await {
                tracing::warn!(projection = self.projection.name(), error = %error,
                    "projection consumer stopped; retrying");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }

    async fn consume(&mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        // Catch up from the log first: the stream may not exist yet.
        self.catch_up_from_log(shutdown).await?;
        let stream = self.jetstream.get_stream(&self.config.stream_name).await?;
        // Bind to the pre-created durable consumer: this service's NATS user may not
        // create one (`command-service provision-nats` does).
        let name = self.projection.consumer_name();
        let consumer: consumer::PullConsumer =
            stream.get_consumer(&name).await.map_err(|error| {
                anyhow::anyhow!(
                    "consumer {name} of stream {} is not usable ({error}); provision it with \
                 `command-service provision-nats`",
                    self.config.stream_name
                )
            })?;
        let mut messages = consumer.messages().await?.ready_chunks(BATCH);
        loop {
            let next = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                next = tokio::time::timeout(self.config.idle_check, messages.next()) => next,
            };
            let chunk = match next {
                Err(_idle) => {
                    self.catch_up_from_log(shutdown).await?;
                    continue;
                }
                Ok(None) => anyhow::bail!("the consumer's message stream ended"),
                Ok(Some(chunk)) => chunk,
            };
            let mut events = Vec::with_capacity(chunk.len());
            let mut last_message = None;
            for message in chunk {
                let message = message?;
                let omitted = message
                    .headers
                    .as_ref()
                    .and_then(|headers| headers.get(caselog_schemas::headers::PAYLOAD_OMITTED))
                    .is_some();
                if omitted {
                    // Too large for NATS: the gap fill reads it from the log.
                    last_message = Some(message);
                    continue;
                }
                match decode_msgpack::<EventEnvelope>(&message.payload) {
                    Ok(envelope) => events.push(envelope),
                    // The log has it; the gap fill will read it from there.
                    Err(error) => tracing::warn!(error = %error, "undecodable message skipped"),
                }
                last_message = Some(message);
            }
            events.sort_by_key(|event| event.position);
            self.write(&events, shutdown).await;
            if let Some(message) = last_message {
                message.ack().await.map_err(|e| anyhow::anyhow!(e))?;
            }
        }
    }

    /// Applies what the log holds beyond the checkpoint.
    async fn catch_up_from_log(&mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
        loop {
            let mut conn = self.pool.acquire().await?;
            let checkpoint: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT position FROM {}.checkpoint",
                self.projection.schema()
            )))
            .fetch_one(&mut *conn)
            .await?;
            drop(conn);
            let events = self
                .reader
                .read_after(Position(checkpoint), BATCH as i64)
                .await?;
            if events.is_empty() || shutdown.is_cancelled() {
                return Ok(());
            }
            self.write(&events, shutdown).await;
        }
    }

    /// Writes one batch, retrying until it commits; an event that keeps failing is
    /// poisoned after `MAX_ATTEMPTS` and the batch goes through without it.
    async fn write(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        loop {
            match self.try_write(events).await {
                Ok(position) => {
                    metrics::gauge!("caselog_projection_position", "projection" => self.projection.name())
                        .set(position as f64);
                    return;
                }
                Err(BatchError::Event { position, error }) => {
                    let attempts = self.attempts.entry(position).or_insert(0);
                    *attempts += 1;
                    tracing::warn!(projection = self.projection.name(), position,
                        attempts = *attempts, error = %error, "event failed to apply");
                    if *attempts >= MAX_ATTEMPTS {
                        self.poisoned
                            .insert(position, (*attempts, error.to_string()));
                    }
                    let backoff = Duration::from_millis(50 * u64::from(*attempts));
                    tokio::time::sleep(backoff).await;
                }
                Err(BatchError::Infrastructure(error)) => {
                    tracing::warn!(projection = self.projection.name(), error = %error,
                        "batch failed; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                    }
                }
            }
            if shutdown.is_cancelled() {
                return;
            }
        }
    }

    async fn try_write(&self, events: &[EventEnvelope]) -> Result<i64, BatchError> {
        let mut tx =
            batch::begin(&self.pool, self.projection, &self.projection.schema(), true).await?;
        let position = batch::apply_in_transaction(
            &mut tx,
            self.projection,
            &self.reader,
            events,
            &self.poisoned,
        )
        .await?;
        tx.commit().await?;
        Ok(position)
    }
}
