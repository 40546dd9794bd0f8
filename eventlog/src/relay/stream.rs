//! The JetStream stream the relay publishes into, and where to resume in it.

use async_nats::jetstream::{self, stream};

use caselog_schemas::{Position, headers};

use super::{RelayConfig, RelayError};

/// How far back the relay looks for the last message still in the stream when the
/// newest ones were deleted.
const RESUME_SEARCH: u64 = 10_000;

/// The stream's configuration: file storage, every caselog subject, kept forever, with a
/// duplicate window for `Nats-Msg-Id`. Messages may not be deleted or purged through
/// the API: the stream is the published copy of an append-only log.
pub fn stream_config(config: &RelayConfig) -> stream::Config {
    stream::Config {
        name: config.stream_name.clone(),
        subjects: vec![config.subjects.wildcard()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        duplicate_window: config.duplicate_window,
        allow_direct: true,
        num_replicas: config.replicas,
        deny_delete: true,
        deny_purge: true,
        ..Default::default()
    }
}

/// Creates the stream if it is missing (and leaves an existing one as it is).
pub async fn provision_stream(
    jetstream: &jetstream::Context,
    config: &RelayConfig,
) -> Result<stream::Stream, RelayError> {
    jetstream
        .get_or_create_stream(stream_config(config))
        .await
        .map_err(RelayError::jetstream)
}

pub(super) async fn open(
    jetstream: &jetstream::Context,
    config: &RelayConfig,
) -> Result<stream::Stream, RelayError> {
    if config.provision_stream {
        provision_stream(jetstream, config).await
    } else {
        jetstream
            .get_stream(&config.stream_name)
            .await
            .map_err(RelayError::jetstream)
    }
}

/// Where the relay takes up publishing.
#[derive(Debug, Clone, Copy)]
pub struct ResumePoint {
    /// The stream's last sequence: the next message must land right after it.
    pub last_sequence: u64,
    /// The log position of the last event the stream still holds.
    pub published: Position,
    /// How many of the newest messages were deleted or purged. JetStream remembers
    /// their message ids for its duplicate window, so they are published again under
    /// ids of their own (the sequence fence alone keeps them once each).
    pub deleted: u64,
}

/// The stream's last sequence and the log position of the last event it still holds.
///
/// - Newest messages deleted (by an operator, on a stream made before deletes were
///   denied): the last one still there says where to resume; the deleted ones are
///   published again.
/// - Every message purged: the whole log is published again, so the stream holds it
///   all once more (consumers skip positions they already have).
pub async fn resume_point(
    stream: &stream::Stream,
    stream_name: &str,
) -> Result<ResumePoint, RelayError> {
    let info = stream.get_info().await.map_err(RelayError::jetstream)?;
    let last_sequence = info.state.last_sequence;
    if last_sequence == 0 || info.state.messages == 0 {
        if last_sequence > 0 {
            tracing::warn!(
                stream = stream_name,
                last_sequence,
                "the stream was purged: publishing the whole log again"
            );
        }
        return Ok(ResumePoint {
            last_sequence,
            published: Position::BEFORE_FIRST,
            deleted: last_sequence,
        });
    }
    let oldest = info
        .state
        .first_sequence
        .max(last_sequence.saturating_sub(RESUME_SEARCH));
    for sequence in (oldest..=last_sequence).rev() {
        let message = match stream.get_raw_message(sequence).await {
            Ok(message) => message,
            Err(error)
                if matches!(
                    error.kind(),
                    stream::LastRawMessageErrorKind::NoMessageFound
                ) =>
            {
                continue;
            }
            Err(error) => return Err(RelayError::jetstream(error)),
        };
        if sequence != last_sequence {
            tracing::warn!(
                stream = stream_name,
                deleted = last_sequence - sequence,
                "the stream's newest messages were deleted: publishing them again"
            );
        }
        let position = message
            .headers
            .get(headers::POSITION)
            .and_then(|value| value.as_str().parse::<i64>().ok())
            .ok_or_else(|| RelayError::UnknownResumePoint {
                stream: stream_name.to_owned(),
                sequence,
            })?;
        return Ok(ResumePoint {
            last_sequence,
            published: Position(position),
            deleted: last_sequence - sequence,
        });
    }
    Err(RelayError::UnknownResumePoint {
        stream: stream_name.to_owned(),
        sequence: last_sequence,
    })
}
