//! The live runner: one durable JetStream pull consumer, read once for every
//! projection, feeds batches to them all; messages are acknowledged only after the
//! batch is committed in every projection, so a crash redelivers them and each
//! checkpoint turns the redelivery into a no-op. A batch goes to every projection in
//! one transaction ([`super::together`]) when it can, and to each projection's own
//! writer ([`writer`]) when it cannot (a gap, a poisoned event, a failure, a panic).
//!
//! When no message arrives for a while yet the log is ahead of a checkpoint (the
//! stream lost its tail, or NATS is unreachable), the runner reads the log directly:
//! Postgres, not NATS, is the source of truth.

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

use super::batch::{self, Poisoned};
use super::together;
use crate::projections::Projection;

pub mod writer;

use writer::{ProjectionWriter, panic_message, record_position};

const BATCH: usize = 500;

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub stream_name: String,
    pub subjects: SubjectRoot,
    /// How long without a message before the runner checks the log itself.
    pub idle_check: Duration,
}

pub struct LiveRunner {
    pool: PgPool,
    reader: LogReader,
    jetstream: jetstream::Context,
    config: RunnerConfig,
    /// One per projection, in [`Projection::ALL`]'s order.
    writers: Vec<ProjectionWriter>,
}

impl LiveRunner {
    pub fn new(pool: PgPool, nats: async_nats::Client, config: RunnerConfig) -> Self {
        let reader = LogReader::new(pool.clone());
        Self {
            writers: Projection::ALL
                .iter()
                .map(|&projection| ProjectionWriter::new(projection, pool.clone(), reader.clone()))
                .collect(),
            reader,
            pool,
            jetstream: jetstream::new(nats),
            config,
        }
    }

    /// Runs the projections until `shutdown`, starting a new runner whenever one
    /// panics where it is not caught (a panic while applying events is caught in
    /// `write`).
    pub async fn supervised(
        pool: PgPool,
        nats: async_nats::Client,
        config: RunnerConfig,
        shutdown: CancellationToken,
    ) {
        let mut backoff = Backoff::new();
        loop {
            let runner = Self::new(pool.clone(), nats.clone(), config.clone());
            match tokio::spawn(runner.run(shutdown.clone())).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(error = %error, "the projections' runner died; starting a new one");
                    metrics::counter!("caselog_projection_panics_total", "projection" => "all")
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
                    tracing::warn!(error = %error, "the projections' consumer stopped; retrying");
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
        let name = caselog_read_model::PROJECTIONS_CONSUMER.name;
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

    /// Writes one batch to every projection: in one transaction if it can, else
    /// through each projection's writer, which retries until it commits.
    async fn write(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        let span = batch_span(events);
        self.write_traced(events, shutdown).instrument(span).await;
    }

    async fn write_traced(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        let poisoned: Vec<&Poisoned> = self.writers.iter().map(|w| &w.poisoned).collect();
        let attempt = AssertUnwindSafe(together::apply(&self.pool, events, &poisoned))
            .catch_unwind()
            .await;
        match attempt {
            Ok(Ok(Some(positions))) => {
                for (projection, position) in positions {
                    record_position(projection, position);
                }
                return;
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => {
                tracing::debug!(error = %error, "the batch failed together; each projection writes it alone");
            }
            Err(panic) => {
                tracing::debug!(panic = %panic_message(panic.as_ref()),
                    "a projector panicked on the batch; each projection writes it alone");
            }
        }
        for writer in &mut self.writers {
            writer.write(events, shutdown).await;
        }
    }
}

/// The runner as a follower of the log itself: for catching up without the stream.
struct CatchUp<'a> {
    runner: &'a mut LiveRunner,
    shutdown: &'a CancellationToken,
}

impl Follower for CatchUp<'_> {
    /// The projection furthest behind: each skips what it already holds.
    async fn checkpoint(&mut self) -> anyhow::Result<Position> {
        let checkpoints = batch::live_checkpoints(&self.runner.pool).await?;
        Ok(Position(checkpoints.into_iter().min().unwrap_or(0)))
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
fn batch_span(events: &[EventEnvelope]) -> tracing::Span {
    let span = tracing::info_span!(
        "project",
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
