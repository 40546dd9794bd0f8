//! One projection's careful writer: what the live runner falls back to when a batch
//! cannot go to every projection in one transaction ([`super::super::together`]).
//!
//! Failures are of two kinds. A transient one (Postgres unreachable or restarting, a
//! time-out, a serialization failure) is retried with the shared backoff for as long as
//! it lasts; nothing is set aside, and it shows as lag. A permanent one (an event this
//! code cannot decode or apply, or a projector that panics on it) sets that one event
//! aside as a dead letter after `MAX_ATTEMPTS`, and everything after it flows on.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::LogReader;
use caselog_platform::retry::Backoff;
use caselog_schemas::EventEnvelope;

use super::super::batch::{self, BatchError, Poisoned};
use crate::projections::Projection;

/// Tries before an event is set aside as a dead letter.
pub const MAX_ATTEMPTS: u32 = 3;

pub struct ProjectionWriter {
    pub projection: Projection,
    pool: PgPool,
    reader: LogReader,
    attempts: HashMap<i64, u32>,
    pub poisoned: Poisoned,
}

impl ProjectionWriter {
    pub fn new(projection: Projection, pool: PgPool, reader: LogReader) -> Self {
        Self {
            projection,
            pool,
            reader,
            attempts: HashMap::new(),
            poisoned: Poisoned::new(),
        }
    }

    /// Writes one batch, retrying until it commits. A transient failure is retried for
    /// as long as it lasts; an event that keeps failing for good is poisoned after
    /// `MAX_ATTEMPTS` and the batch goes through without it. A projector that panics
    /// is caught, and the batch is then written one event at a time to find the event
    /// that made it panic.
    pub async fn write(&mut self, events: &[EventEnvelope], shutdown: &CancellationToken) {
        if self.write_guarded(events, shutdown).await {
            return;
        }
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
                    tracing::error!(projection = self.projection.name(),
                        panic = %panic_message(panic.as_ref()),
                        events = events.len(), "the projector panicked");
                    metrics::counter!("caselog_projection_panics_total", "projection" => self.projection.name())
                        .increment(1);
                    return false;
                }
            };
            match result {
                Ok(position) => {
                    record_position(self.projection, position);
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

/// The gauge of how far a projection's live read model is.
pub fn record_position(projection: Projection, position: i64) {
    metrics::gauge!("caselog_projection_position", "projection" => projection.name())
        .set(position as f64);
}

/// What a caught panic said.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}
