//! The event log's one error type.

use caselog_schemas::StreamVersion;

/// Why an append was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The stream moved past the version the caller decided against.
    #[error("stream is at version {actual}, not the expected {expected}")]
    Conflict {
        expected: StreamVersion,
        actual: StreamVersion,
    },
    /// The idempotency key was first used for a different stream or request.
    #[error("idempotency key was already used for another request")]
    IdempotencyKeyReused,
    /// The event cannot be stored as given (the caller's bug, not a transient fault).
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    /// The group-commit writer has stopped (the process is shutting down).
    #[error("the event log writer is not running")]
    WriterStopped,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// `COMMIT` went unanswered and the log could not be asked whether it landed. The
    /// caller must not decide the command again: a retry with the same idempotency key
    /// learns the outcome.
    #[error("the append's outcome is unknown: {0}")]
    OutcomeUnknown(String),
}

/// Why a read or verification failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored row does not decode (for example metadata edited by hand into another shape).
    #[error("event at position {position} does not decode: {reason}")]
    Undecodable { position: i64, reason: String },
    /// Two consecutive reads of the log were not contiguous: the invariant that a
    /// reader never finds a committed event below one it has seen broke.
    #[error("the log skipped from position {after} to {found}")]
    Gap { after: i64, found: i64 },
}
