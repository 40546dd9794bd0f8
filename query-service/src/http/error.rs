//! The query service's one error type and its one mapping to HTTP problems: a refusal
//! already in words passes through; a failed read is 503 with `Retry-After` when a
//! dependency is down, an opaque 500 otherwise (logged with its cause).

use std::sync::Arc;

use axum::response::{IntoResponse, Response};

use caselog_platform::http::Problem;
use caselog_platform::transient::is_transient;

#[derive(Debug)]
pub enum ApiError {
    /// A role, validation, not-found or waiting refusal.
    Refused(Problem),
    /// A read that failed.
    Failed {
        cause: anyhow::Error,
        /// Whether a dependency's outage caused it (known before the cause was wrapped).
        transient: bool,
    },
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self::Refused(problem)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::failed(error)
    }
}

impl From<caselog_eventlog::ReadError> for ApiError {
    fn from(error: caselog_eventlog::ReadError) -> Self {
        Self::failed(error)
    }
}

/// NATS unreachable is an outage (503 with `Retry-After`): verification does not
/// answer without the published checkpoint it was asked to hold the log against.
impl From<crate::audit::trust::TrustError> for ApiError {
    fn from(error: crate::audit::trust::TrustError) -> Self {
        match error {
            crate::audit::trust::TrustError::Log(error) => error.into(),
            nats @ crate::audit::trust::TrustError::Nats(_) => Self::Failed {
                cause: anyhow::Error::new(nats),
                transient: true,
            },
        }
    }
}

/// A read whose record could not be appended is not served.
impl From<caselog_eventlog::AppendError> for ApiError {
    fn from(error: caselog_eventlog::AppendError) -> Self {
        use caselog_eventlog::AppendError;
        match error {
            AppendError::Database(error) => Self::failed(error),
            AppendError::OutcomeUnknown(_) | AppendError::WriterStopped => Self::Failed {
                cause: anyhow::Error::new(error),
                transient: true,
            },
            other => Self::failed(other),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(cause: anyhow::Error) -> Self {
        let transient = caselog_platform::transient::is_transient_anyhow(&cause);
        Self::Failed { cause, transient }
    }
}

/// A cache's shared error: the cause stays inside the `Arc`, where a downcast cannot
/// find it, so it is classified here.
impl From<Arc<sqlx::Error>> for ApiError {
    fn from(error: Arc<sqlx::Error>) -> Self {
        Self::Failed {
            transient: is_transient(error.as_ref()),
            cause: anyhow::Error::new(error),
        }
    }
}

impl ApiError {
    fn failed(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Failed {
            transient: is_transient(&error),
            cause: anyhow::Error::new(error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Refused(problem) => problem,
            Self::Failed { cause, transient } => Problem::failure_classified(cause, transient),
        }
        .into_response()
    }
}
