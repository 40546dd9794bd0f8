//! Publishing one batch: all messages are sent before any acknowledgement is awaited
//! (one round trip per batch, not per event), each fenced by the stream sequence its
//! predecessor must have.

use async_nats::jetstream;
use tracing::Instrument;

use caselog_schemas::EventEnvelope;

use super::{RelayConfig, RelayError, message::event_message};

/// The first `events` of a batch replace deleted messages: they are published under
/// message ids of their own (`<event id>.<epoch>`), since JetStream still remembers the
/// deleted ones' ids for its duplicate window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Refill {
    pub epoch: u64,
    pub events: usize,
}

/// Publishes `batch` after stream sequence `last_sequence` and returns the new last
/// sequence. Any refusal ends the batch with an error; the caller starts over from
/// what the stream holds.
pub async fn publish_in_order(
    jetstream: &jetstream::Context,
    config: &RelayConfig,
    batch: &[EventEnvelope],
    last_sequence: u64,
    max_payload: usize,
    refill: Refill,
) -> Result<u64, RelayError> {
    let first = batch.first().map(|event| event.position.0);
    let span = tracing::info_span!(
        "relay.publish",
        events = batch.len(),
        first_position = first
    );
    async {
        let mut pending_acks = Vec::with_capacity(batch.len());
        for (offset, event) in batch.iter().enumerate() {
            let (subject, message) = event_message(&config.subjects, event, max_payload)?;
            let mut message = message.expected_last_sequence(last_sequence + offset as u64);
            if offset < refill.events {
                message = message.message_id(format!("{}.{}", event.event_id, refill.epoch));
            }
            let ack = jetstream
                .send_publish(subject, message)
                .await
                .map_err(RelayError::jetstream)?;
            pending_acks.push(ack);
        }
        let mut sequence = last_sequence;
        for (event, ack) in batch.iter().zip(pending_acks) {
            let ack = ack.await.map_err(|error| {
                RelayError::JetStream(format!(
                    "position {} was not stored: {error}",
                    event.position
                ))
            })?;
            if ack.duplicate || ack.sequence != sequence + 1 {
                return Err(RelayError::JetStream(format!(
                    "position {} landed at sequence {} (duplicate: {}), expected {}",
                    event.position,
                    ack.sequence,
                    ack.duplicate,
                    sequence + 1
                )));
            }
            sequence = ack.sequence;
        }
        Ok(sequence)
    }
    .instrument(span)
    .await
}
