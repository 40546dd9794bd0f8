//! The live runner of one projection: a durable JetStream pull consumer feeds batches
//! to [`super::batch`]; messages are acknowledged only after their transaction commits,
//! so a crash redelivers them and the checkpoint turns the redelivery into a no-op.
//!
//! When no message arrives for a while yet the log is ahead of the checkpoint (the
//! stream lost its tail, or NATS is unreachable), the runner reads the log directly:
//! Postgres, not NATS, is the source of truth.
//!
//! Failures are of two kinds. A transient one (Postgres unreachable or restarting, a
//! time-out, a serialization failure) is retried with the shared backoff for as long as
//! it lasts; nothing is set aside, and it shows as lag. A permanent one (an event this
//! code cannot decode or apply, or a projector that panics on it) sets that one event
//! aside as a dead letter after `MAX_ATTEMPTS`, and everything after it flows on.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures::{FutureExt, StreamExt};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use caselog_eventlog::{EventFilter, Follower, LogFollower, LogReader};
use caselog_platform::retry::Backoff;
use caselog_platform::telemetry;
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

    /// Runs the projection until `shutdown`, starting a new runner whenever one panics
    /// where it is not caught (a panic while applying events is caught in `write`).
    pub async fn supervised(
        projection: Projection,
        pool: PgPool,
        nats: async_nats::Client,
        config: RunnerConfig,
        shutdown: CancellationToken,
    ) {
        let mut backoff = Backoff::new();
        loop {
            let runner = Self::new(projection, pool.clone(), nats.clone(), config.clone());
            match tokio::spawn(runner.run(shutdown.clone())).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(projection = projection.name(), error = %error,
                        "the projection's runner died; starting a new one");
                    metrics::counter!("caselog_projection_panics_total", "projection" => projection.name())
                        .increment(1);
                    if !backoff.wait(&shutdown).await {
                        return;
                    }
                }
            }
        }
    }

    /// Consumes until `shutdown`, reconnecting after errors.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut backoff = Backoff::new();
        while !shutdown.is_cancelled() {
            match self.consume(&shutdown).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(projection = self.projection.name(), error = %error,
                        "projection consumer stopped; retrying");
                    if !backoff.wait(&shutdown).await {
                        return;
                    }
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
            stream.get_consumer(name).await.map_err(|error| {
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
        let follower = LogFollower::new(self.reader.clone(), EventFilter::ALL, BATCH as i64);
        follower
            .catch_up(
                &mut CatchUp {
                    runner: self,
                    shutdown,
                },
                shutdown,
            )
            .await
    }

    /// Writes one batch, retrying until it commits. A transient failure is retried for
    /// as long as it lasts; an event that keeps failing for good is poisoned after
    /// `MAX_ATTEMPTS` and the batch goes through without it. A projector that panics
    /// is caught, and the batch is then written one event at a time to find the event
    /// that made it panic.
    async fn write(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        let span = batch_span(self.projection, events);
        self.write_traced(events, shutdown).instrument(span).await;
    }

    async fn write_traced(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        if !self.write_guarded(events, shutdown).await {
            for event in events {
                let mut backoff = Backoff::new();
                let mut panics = 0;
                while !self
                    .write_guarded(std::slice::from_ref(event), shutdown)
                    .await
                {
                    panics += 1;
                    if panics == 1 {
                        self.poisoned.insert(
                            event.position.0,
                            (
                                MAX_ATTEMPTS,
                                "the projector panicked on this event".to_owned(),
                            ),
                        );
                    } else if !backoff.wait(shutdown).await {
                        // Set aside and still panicking: an event filled in from the
                        // log before it is to blame; keep trying, as lag, logged.
                        return;
                    }
                }
            }
        }
    }

    /// [`Self::write`] until done; false if the projector panicked.
    async fn write_guarded(
        &mut self,
        events: &[EventEnvelope],
        shutdown: &CancellationToken,
    ) -> bool {
        let mut backoff = Backoff::new();
        loop {
            let attempt = AssertUnwindSafe(self.try_write(events))
                .catch_unwind()
                .await;
            let result = match attempt {
                Ok(result) => result,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|text| (*text).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    tracing::error!(projection = self.projection.name(), panic = %message,
                        events = events.len(), "the projector panicked");
                    metrics::counter!("caselog_projection_panics_total", "projection" => self.projection.name())
                        .increment(1);
                    return false;
                }
            };
            match result {
                Ok(position) => {
                    metrics::gauge!("caselog_projection_position", "projection" => self.projection.name())
                        .set(position as f64);
                    return true;
                }
                Err(BatchError::Event { position, error }) if !error.is_transient() => {
                    let attempts = self.attempts.entry(position).or_insert(0);
                    *attempts += 1;
                    tracing::warn!(projection = self.projection.name(), position,
                        attempts = *attempts, error = %error, "event failed to apply");
                    if *attempts >= MAX_ATTEMPTS {
                        self.poisoned
                            .insert(position, (*attempts, error.to_string()));
                    }
                }
                Err(error) => {
                    tracing::warn!(projection = self.projection.name(), error = %error,
                        "batch failed for a passing reason; retrying");
                }
            }
            if !backoff.wait(shutdown).await {
                return true;
            }
        }
    }

    async fn try_write(&self, events: &[EventEnvelope]) -> Result<i64, BatchError> {
        let mut tx =
            batch::begin(&self.pool, self.projection, self.projection.schema(), true).await?;
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

/// The runner as a follower of the log itself: for catching up without the stream.
struct CatchUp<'a> {
    runner: &'a mut LiveRunner,
    shutdown: &'a CancellationToken,
}

impl Follower for CatchUp<'_> {
    async fn checkpoint(&mut self) -> anyhow::Result<Position> {
        let position = batch::live_checkpoint(&self.runner.pool, self.runner.projection).await?;
        Ok(Position(position))
    }

    /// The batch moves the checkpoint with it (`write` retries until it commits).
    async fn handle(
        &mut self,
        _from: Position,
        events: Vec<EventEnvelope>,
        _through: Position,
    ) -> anyhow::Result<()> {
        self.runner.write(&events, self.shutdown).await;
        Ok(())
    }
}

/// The span of one batch: a child of the first traced command it applies, linked to
/// every other one, so a command's trace shows the projections it reached.
fn batch_span(projection: Projection, events: &[EventEnvelope]) -> tracing::Span {
    let span = tracing::info_span!(
        "project",
        projection = projection.name(),
        events = events.len(),
        first_position = events.first().map(|event| event.position.0),
    );
    let mut traces = events
        .iter()
        .filter_map(|event| event.metadata.trace.as_ref());
    if let Some(first) = traces.next() {
        telemetry::continue_trace(&span, first);
    }
    for trace in traces {
        telemetry::link_trace(&span, trace);
    }
    span
}

#[cfg(test)]
mod tests;
