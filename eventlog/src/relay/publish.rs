//! Publishing one batch, fenced by the stream sequence it must follow.
//!
//! Where the stream allows it (`allow_atomic`, nats-server 2.12 and later), the batch
//! is one atomic batch publish (NATS ADR-50): it is stored whole or not at all, only
//! its first message carries the sequence it must follow, and a file-backed stream
//! syncs it to disk once (nats-server 2.15) instead of once per message, which is most
//! of what a publish costs with `sync_interval: always`. On a stream made before that
//! was allowed, every message is sent before any acknowledgement is awaited, each
//! fenced by the sequence its predecessor must have.

use async_nats::header::{
    NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL, NATS_BATCH_ID, NATS_BATCH_SEQUENCE,
    NATS_EXPECTED_LAST_SEQUENCE, NATS_MESSAGE_ID,
};
use async_nats::jetstream::{self, publish::PublishAck};
use tracing::Instrument;

use caselog_schemas::EventEnvelope;

use super::message::{EventMessage, event_message};
use super::{RelayConfig, RelayError};

/// The first `events` of a batch replace deleted messages: they are published under
/// message ids of their own (`<event id>.<epoch>`), since JetStream still remembers the
/// deleted ones' ids for its duplicate window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Refill {
    pub epoch: u64,
    pub events: usize,
}

/// How a batch goes to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One atomic batch publish.
    Atomic,
    /// One publish per message, pipelined.
    Pipelined,
}

/// Where and how batches are published.
pub struct Target<'a> {
    pub jetstream: &'a jetstream::Context,
    pub client: &'a async_nats::Client,
    pub config: &'a RelayConfig,
    pub mode: Mode,
}

/// Publishes `batch` after stream sequence `last_sequence` and returns the new last
/// sequence. Any refusal ends the batch with an error; the caller starts over from
/// what the stream holds.
pub async fn publish_in_order(
    target: &Target<'_>,
    batch: &[EventEnvelope],
    last_sequence: u64,
    max_payload: usize,
    refill: Refill,
) -> Result<u64, RelayError> {
    let Target {
        jetstream,
        client,
        config,
        mode,
    } = *target;
    let first = batch.first().map(|event| event.position.0);
    let span = tracing::info_span!(
        "relay.publish",
        events = batch.len(),
        first_position = first,
        atomic = mode == Mode::Atomic,
    );
    async {
        let mut messages = Vec::with_capacity(batch.len());
        for (offset, event) in batch.iter().enumerate() {
            let mut message = event_message(&config.subjects, event, max_payload)?;
            if offset < refill.events {
                let id = format!("{}.{}", event.event_id, refill.epoch);
                message.headers.insert(NATS_MESSAGE_ID, id.as_str());
            }
            messages.push(message);
        }
        if mode == Mode::Pipelined {
            return publish_pipelined(jetstream, batch, messages, last_sequence).await;
        }
        let mut sequence = last_sequence;
        let mut events = batch;
        let mut messages = messages.into_iter().peekable();
        while messages.peek().is_some() {
            let chunk = atomic_chunk(&mut messages);
            let (these, rest) = events.split_at(chunk.len());
            sequence = publish_atomic(jetstream, client, these, chunk, sequence).await?;
            events = rest;
        }
        Ok(sequence)
    }
    .instrument(span)
    .await
}

/// At most this many messages in one atomic batch: the server's limit.
const ATOMIC_MESSAGES: usize = 1000;
/// At most about this many bytes in one atomic batch: the server stages a batch in
/// memory until its commit.
const ATOMIC_BYTES: usize = 8 * 1024 * 1024;

/// The next messages that go in one atomic batch (at least one).
fn atomic_chunk(
    messages: &mut std::iter::Peekable<std::vec::IntoIter<EventMessage>>,
) -> Vec<EventMessage> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while let Some(next) = messages.peek() {
        let size = next.payload.len();
        if !chunk.is_empty() && (chunk.len() == ATOMIC_MESSAGES || bytes + size > ATOMIC_BYTES) {
            break;
        }
        bytes += size;
        chunk.extend(messages.next());
    }
    chunk
}

async fn publish_atomic(
    jetstream: &jetstream::Context,
    client: &async_nats::Client,
    batch: &[EventEnvelope],
    messages: Vec<EventMessage>,
    last_sequence: u64,
) -> Result<u64, RelayError> {
    let batch_id = uuid::Uuid::now_v7().simple().to_string();
    let count = messages.len();
    let mut final_ack = None;
    for (offset, mut message) in messages.into_iter().enumerate() {
        let headers = &mut message.headers;
        headers.insert(NATS_BATCH_ID, batch_id.as_str());
        headers.insert(NATS_BATCH_SEQUENCE, (offset + 1).to_string().as_str());
        if offset == 0 {
            headers.insert(
                NATS_EXPECTED_LAST_SEQUENCE,
                last_sequence.to_string().as_str(),
            );
        }
        if offset + 1 == count {
            headers.insert(NATS_BATCH_COMMIT, NATS_BATCH_COMMIT_FINAL);
            let (subject, message) = message.into_publish();
            final_ack = Some(
                jetstream
                    .send_publish(subject, message)
                    .await
                    .map_err(RelayError::jetstream)?,
            );
        } else if offset == 0 {
            // The server answers the first message of a batch: empty, or why it will
            // not take the batch.
            let reply = client
                .request_with_headers(message.subject, message.headers, message.payload)
                .await
                .map_err(RelayError::jetstream)?;
            if !reply.payload.is_empty() {
                return Err(RelayError::JetStream(format!(
                    "the stream refused the batch: {}",
                    String::from_utf8_lossy(&reply.payload)
                )));
            }
        } else {
            client
                .publish_with_headers(message.subject, message.headers, message.payload)
                .await
                .map_err(RelayError::jetstream)?;
        }
    }
    let Some(ack) = final_ack else {
        return Ok(last_sequence);
    };
    let ack: PublishAck = ack.await.map_err(|error| {
        RelayError::JetStream(format!(
            "the batch from position {} was not stored: {error}",
            batch[0].position
        ))
    })?;
    let expected = last_sequence + count as u64;
    if ack.duplicate || ack.sequence != expected {
        return Err(RelayError::JetStream(format!(
            "the batch from position {} ended at sequence {} (duplicate: {}), expected {expected}",
            batch[0].position, ack.sequence, ack.duplicate
        )));
    }
    Ok(expected)
}

async fn publish_pipelined(
    jetstream: &jetstream::Context,
    batch: &[EventEnvelope],
    messages: Vec<EventMessage>,
    last_sequence: u64,
) -> Result<u64, RelayError> {
    let mut pending_acks = Vec::with_capacity(messages.len());
    for (offset, message) in messages.into_iter().enumerate() {
        let (subject, message) = message.into_publish();
        let message = message.expected_last_sequence(last_sequence + offset as u64);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn message(bytes: usize) -> EventMessage {
        EventMessage {
            subject: "caselog.v1.t".into(),
            headers: async_nats::HeaderMap::new(),
            payload: bytes::Bytes::from(vec![0u8; bytes]),
        }
    }

    fn chunk_sizes(messages: Vec<EventMessage>) -> Vec<usize> {
        let mut messages = messages.into_iter().peekable();
        let mut sizes = Vec::new();
        while messages.peek().is_some() {
            sizes.push(atomic_chunk(&mut messages).len());
        }
        sizes
    }

    #[test]
    fn a_batch_is_cut_at_the_servers_message_limit_and_at_a_size() {
        assert_eq!(
            chunk_sizes((0..2500).map(|_| message(10)).collect()),
            [1000, 1000, 500]
        );
        // 3 MiB each: two fit under 8 MiB, the third starts the next batch.
        assert_eq!(
            chunk_sizes((0..5).map(|_| message(3 << 20)).collect()),
            [2, 2, 1]
        );
        // A single message larger than the size still goes, alone.
        assert_eq!(chunk_sizes(vec![message(9 << 20), message(1)]), [1, 1]);
    }
}
