//! What a command asks of the executor, and what it answers.

use caselog_eventlog::{AppendError, AppendOutcome, ErasureError, ReadError};
use caselog_schemas::{Actor, Position, StreamId, StreamVersion};

/// How a command is to be appended: who asks, and the client's optional guards.
#[derive(Debug, Clone)]
pub struct CommandOptions {
    pub actor: Actor,
    pub idempotency_key: Option<String>,
    /// Who sent which request under `idempotency_key`: a later use of the key replays
    /// only for the same fingerprint.
    pub request_fingerprint: Option<String>,
    pub if_match: Option<StreamVersion>,
}

/// The prefix of the idempotency keys caselog uses itself (clients may not).
pub const SYSTEM_KEY_PREFIX: &str = "caselog:";

#[derive(Debug)]
pub enum Executed {
    /// New events were appended (or, for a repeated idempotency key, had been).
    Appended(AppendOutcome),
    /// The command was accepted but changes nothing: no event.
    Unchanged {
        stream_id: StreamId,
        stream_version: StreamVersion,
        position: Position,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError<R> {
    #[error("rejected by the domain")]
    Rejected(R),
    #[error("the stream is at version {actual}, not {expected}")]
    Conflict {
        expected: StreamVersion,
        actual: StreamVersion,
    },
    #[error("the idempotency key was used for another request")]
    KeyReusedElsewhere,
    #[error(transparent)]
    Append(AppendError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("stored event {event_type} does not decode: {reason}")]
    Undecodable { event_type: String, reason: String },
    /// The stream was erased; nothing personal may be written to it again.
    #[error("the stream was erased")]
    Erased,
}

impl<R> From<ErasureError> for ExecuteError<R> {
    fn from(error: ErasureError) -> Self {
        match error {
            ErasureError::Erased(_) => ExecuteError::Erased,
            ErasureError::Database(error) => ExecuteError::Read(ReadError::Database(error)),
        }
    }
}
