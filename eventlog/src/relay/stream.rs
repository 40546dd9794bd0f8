//! The JetStream stream the relay publishes into, and where to resume in it.

use async_nats::jetstream::{self, stream};

use caselog_schemas::{Position, headers};

use super::{RelayConfig, RelayError};

/// The stream's configuration: file storage, every caselog subject, kept forever, with a
/// duplicate window for `Nats-Msg-Id`.
pub fn stream_config(config: &RelayConfig) -> stream::Config {
    stream::Config {
        name: config.stream_name.clone(),
        subjects: vec![config.subjects.wildcard()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        duplicate_window: config.duplicate_window,
        allow_direct: true,
        num_replicas: 1,
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

/// The stream's last sequence and the log position of the event stored there.
pub async fn resume_point(
    stream: &stream::Stream,
    stream_name: &str,
) -> Result<(u64, Position), RelayError> {
    let info = stream.get_info().await.map_err(RelayError::jetstream)?;
    let last_sequence = info.state.last_sequence;
    if last_sequence == 0 {
        return Ok((0, Position::BEFORE_FIRST));
    }
    let message = stream
        .get_raw_message(last_sequence)
        .await
        .map_err(RelayError::jetstream)?;
    let position = message
        .headers
        .get(headers::POSITION)
        .and_then(|value| value.as_str().parse::<i64>().ok())
        .ok_or_else(|| RelayError::UnknownResumePoint {
            stream: stream_name.to_owned(),
            sequence: last_sequence,
        })?;
    Ok((last_sequence, Position(position)))
}
