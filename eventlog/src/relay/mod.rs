//! The relay: publishes the log to one JetStream stream, strictly in position order
//! (README "Subscribing to caselog events").
//!
//! - One active relay at a time: leadership is a session advisory lock held on a
//!   dedicated connection; a second instance waits for it.
//! - It resumes from what the stream actually holds (the `Caselog-Position` header of
//!   its last message), not from memory or a checkpoint, so a crash or a stream that
//!   lost its tail is refilled from the log without loss or duplicates.
//! - Every publish carries `Nats-Expected-Last-Sequence`. JetStream refuses a message
//!   that would not land right after its predecessor, so even a pipelined batch whose
//!   middle failed, or a deposed leader that still thinks it leads, cannot reorder the
//!   stream. `Nats-Msg-Id` (the event id) makes a re-publish a no-op besides.

mod message;
pub mod provision;
mod publish;
mod status;
mod stream;

use std::time::Duration;

use async_nats::jetstream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use caselog_platform::leadership;
use caselog_schemas::{Position, SubjectRoot};

use crate::read::{LogReader, LogTail};

pub use message::event_message;
pub use provision::{
    ANALYTICS_CONSUMER, DurableConsumer, WEBHOOKS_CONSUMER, consumer_config, provision,
};
pub use status::{RelayStatus, RelayStatusReport};
pub use stream::{ResumePoint, provision_stream, resume_point, stream_config};

/// How the relay publishes.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The JetStream stream that holds every caselog subject.
    pub stream_name: String,
    pub subjects: SubjectRoot,
    /// JetStream drops a second message with the same `Nats-Msg-Id` within this window.
    pub duplicate_window: Duration,
    /// Events read from the log and published per round trip.
    pub batch_size: i64,
    /// Create the stream when it is missing (local stack); production provisions it.
    pub provision_stream: bool,
    /// How often a waiting instance retries the leadership lock.
    pub standby_poll: Duration,
    /// Copies JetStream keeps of the stream (and its consumers): 3 on a three-node
    /// cluster, 1 on a single server.
    pub replicas: usize,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            stream_name: "CASELOG".to_owned(),
            subjects: SubjectRoot::default(),
            duplicate_window: Duration::from_secs(120),
            batch_size: 500,
            provision_stream: true,
            standby_poll: Duration::from_millis(500),
            replicas: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("reading the log failed: {0}")]
    Read(#[from] crate::error::ReadError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("jetstream error: {0}")]
    JetStream(String),
    #[error("stream {stream} holds message {sequence} without a valid Caselog-Position header")]
    UnknownResumePoint { stream: String, sequence: u64 },
    /// The stream holds events the log does not: Postgres was restored from a backup
    /// older than the stream. Publishing would give positions two meanings.
    #[error(
        "stream {stream} holds position {published} but the log ends at {head}: the log \
         is behind its own published copy (restored from an older backup?); nothing is \
         published until an operator resolves it (runbook: restore from backup)"
    )]
    StreamAheadOfLog {
        stream: String,
        published: Position,
        head: Position,
    },
}

impl RelayError {
    pub(crate) fn jetstream(error: impl std::fmt::Display) -> Self {
        RelayError::JetStream(error.to_string())
    }
}

/// `pg_advisory_lock` key of the relay's leadership ("relay" in ASCII).
const RELAY_LOCK_KEY: i64 = 0x0072_656c_6179;

/// Publishes the log to JetStream while it holds leadership.
pub struct Relay {
    reader: LogReader,
    client: async_nats::Client,
    jetstream: jetstream::Context,
    head: watch::Receiver<Position>,
    config: RelayConfig,
    status: RelayStatus,
}

impl Relay {
    pub fn new(
        reader: LogReader,
        client: async_nats::Client,
        head: watch::Receiver<Position>,
        config: RelayConfig,
        status: RelayStatus,
    ) -> Self {
        let jetstream = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs(10))
            .max_ack_inflight(4 * config.batch_size.max(1) as usize)
            .backpressure_on_inflight(true)
            .build(client.clone());
        Self {
            reader,
            client,
            jetstream,
            head,
            config,
            status,
        }
    }

    /// Runs until `shutdown`: waits for leadership, publishes, and starts over after
    /// any error (after a pause) from what the stream holds.
    pub async fn run(self, shutdown: CancellationToken) {
        tokio::spawn(follow_head(
            self.head.clone(),
            self.status.clone(),
            shutdown.clone(),
        ));
        let mut backoff = caselog_platform::retry::Backoff::new();
        while !shutdown.is_cancelled() {
            let Some(leadership) = leadership::acquire(
                self.reader.pool(),
                RELAY_LOCK_KEY,
                self.config.standby_poll,
                &shutdown,
            )
            .await
            else {
                return;
            };
            info!(stream = %self.config.stream_name, "relay is now the active publisher");
            self.status.set_leader(true);
            let result = self.lead(&leadership, &shutdown, &mut backoff).await;
            self.status.set_leader(false);
            leadership.release().await;
            match result {
                Ok(()) => return,
                Err(error) => {
                    warn!(%error, "relay stopped publishing, starting over");
                    self.status.set_error(error.to_string());
                    if !backoff.wait(&shutdown).await {
                        return;
                    }
                }
            }
        }
    }

    async fn lead(
        &self,
        leadership: &leadership::Lease,
        shutdown: &CancellationToken,
        backoff: &mut caselog_platform::retry::Backoff,
    ) -> Result<(), RelayError> {
        let stream = stream::open(&self.jetstream, &self.config).await?;
        let ResumePoint {
            mut last_sequence,
            published,
            mut deleted,
        } = resume_point(&stream, &self.config.stream_name).await?;
        let refill_epoch = last_sequence;
        let head = self.reader.head().await?;
        if published > head {
            let error = RelayError::StreamAheadOfLog {
                stream: self.config.stream_name.clone(),
                published,
                head,
            };
            tracing::error!(%error, "relay refuses to publish");
            return Err(error);
        }
        self.status.set_published(published);
        self.status.observe_head(head);
        info!(published = %published, last_sequence, "relay resumes after what the stream holds");

        let mut tail = LogTail::new(self.reader.clone(), published, self.head.clone());
        let mut head = self.head.clone();
        loop {
            let batch = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                batch = tail.next_batch(self.config.batch_size) => batch?,
            };
            leadership.check().await?;
            self.status.observe_head(*head.borrow_and_update());
            // Read each time: a reconnect may land on a server configured otherwise.
            let max_payload = self.client.server_info().max_payload;
            let refilled = deleted.min(batch.len() as u64);
            last_sequence = publish::publish_in_order(
                &self.jetstream,
                &self.config,
                &batch,
                last_sequence,
                max_payload,
                publish::Refill {
                    epoch: refill_epoch,
                    events: refilled as usize,
                },
            )
            .await?;
            deleted -= refilled;
            let last = batch.last().expect("a batch is never empty").position;
            self.status.set_published(last);
            backoff.reset();
            metrics::counter!("caselog_relay_published_events_total").increment(batch.len() as u64);
        }
    }
}

/// Keeps the reported head current whatever the relay is doing, so its lag rises while
/// it cannot publish.
async fn follow_head(
    mut head: watch::Receiver<Position>,
    status: RelayStatus,
    shutdown: CancellationToken,
) {
    loop {
        status.observe_head(*head.borrow_and_update());
        tokio::select! {
            _ = shutdown.cancelled() => return,
            changed = head.changed() => if changed.is_err() { return },
        }
    }
}
