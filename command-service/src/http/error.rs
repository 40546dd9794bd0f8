//! The command service's one error type and its one mapping to HTTP problems.

use axum::response::{IntoResponse, Response};

use caselog_platform::http::{Problem, ProblemType};

use crate::application::ExecuteError;
use crate::domain::chat::ChatRejection as Chat;
use crate::domain::conversation::ConversationRejection as C;
use crate::domain::directory::DirectoryRejection as D;

#[derive(Debug)]
pub enum ApiError {
    Problem(Problem),
    Conversation(C),
    Directory(D),
    Chat(Chat),
    Internal(anyhow::Error),
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        ApiError::Problem(problem)
    }
}

impl From<C> for ApiError {
    fn from(rejection: C) -> Self {
        ApiError::Conversation(rejection)
    }
}

impl From<D> for ApiError {
    fn from(rejection: D) -> Self {
        ApiError::Directory(rejection)
    }
}

impl From<Chat> for ApiError {
    fn from(rejection: Chat) -> Self {
        ApiError::Chat(rejection)
    }
}

impl From<crate::application::InputError> for ApiError {
    fn from(error: crate::application::InputError) -> Self {
        match error {
            crate::application::InputError::Invalid(detail) => {
                ApiError::Problem(Problem::validation(detail))
            }
            crate::application::InputError::NotFound(detail) => {
                ApiError::Problem(Problem::new(ProblemType::NotFound, detail))
            }
            crate::application::InputError::Read(error) => ApiError::Internal(error.into()),
        }
    }
}

impl From<caselog_eventlog::ReadError> for ApiError {
    fn from(error: caselog_eventlog::ReadError) -> Self {
        ApiError::Internal(error.into())
    }
}

impl From<crate::application::ErasureError> for ApiError {
    fn from(error: crate::application::ErasureError) -> Self {
        use crate::application::ErasureError;
        match error {
            ErasureError::Lookup(error) => ExecuteError::<C>::Read(error).into(),
            ErasureError::Conversation { error, .. } => error.into(),
            ErasureError::Contact(error) => error.into(),
        }
    }
}

impl<R: Into<ApiError>> From<ExecuteError<R>> for ApiError {
    fn from(error: ExecuteError<R>) -> Self {
        match error {
            ExecuteError::Rejected(rejection) => rejection.into(),
            ExecuteError::Conflict { expected, actual } => ApiError::Problem(Problem::new(
                ProblemType::Conflict,
                format!("the resource is at version {actual}, not the expected {expected}"),
            )),
            ExecuteError::KeyReusedElsewhere => ApiError::Problem(Problem::validation(
                "this Idempotency-Key was already used for another resource",
            )),
            // Only a deleted conversation is erased, and it takes no new events.
            ExecuteError::Erased => ApiError::Problem(Problem::not_found()),
            ExecuteError::Append(caselog_eventlog::AppendError::InvalidEvent(reason)) => {
                ApiError::Problem(Problem::validation(reason))
            }
            ExecuteError::Append(caselog_eventlog::AppendError::WriterStopped) => {
                ApiError::Problem(Problem::unavailable("the service is shutting down"))
            }
            ExecuteError::Append(caselog_eventlog::AppendError::OutcomeUnknown(_)) => {
                ApiError::Problem(Problem::unavailable(
                    "the command may or may not have been recorded; retry it with the same \
                     Idempotency-Key to learn which",
                ))
            }
            // Kept whole, so a database outage is told from a bug (503, not 500).
            ExecuteError::Append(error) => ApiError::Internal(error.into()),
            ExecuteError::Read(error) => ApiError::Internal(error.into()),
            other => ApiError::Internal(anyhow::anyhow!(other.to_string())),
        }
    }
}

fn conversation_problem(rejection: &C) -> ProblemType {
    match rejection {
        C::NotFound | C::UnknownInternalMessage { .. } | C::UnknownInvoice { .. } => {
            ProblemType::NotFound
        }
        C::AlreadyExists => ProblemType::Conflict,
        C::NotAnAssigneeOrAdmin
        | C::MayNotChangeVisibility
        | C::MayNotDelete
        | C::NotTheRecipient
        | C::MayNotDeleteInternalMessages
        | C::SenderKindNotAllowed { .. } => ProblemType::Forbidden,
        C::Closed
        | C::NotAccepted
        | C::OutsideGroup { .. }
        | C::BotAnswering
        | C::BotDisabled
        | C::UnpaidInvoice { .. }
        | C::InvoiceAlreadyAttached { .. }
        | C::WrongStatus { .. }
        | C::NotAssigned { .. } => ProblemType::Rule,
        C::EmptyMessage
        | C::AssigneeNotVisible { .. }
        | C::InvalidScore
        | C::Blank { .. }
        | C::Invalid { .. } => ProblemType::Validation,
    }
}

fn directory_problem(rejection: &D) -> ProblemType {
    match rejection {
        D::IdTakenByAnotherKind { .. } | D::SnippetExists { .. } => ProblemType::Conflict,
        D::UnknownSnippet { .. }
        | D::UnknownUser { .. }
        | D::UnknownContact { .. }
        | D::UnknownItem
        | D::UnknownFile => ProblemType::NotFound,
        D::SnippetLimitReached { .. } => ProblemType::Rule,
        D::ChatSwitchedOff => ProblemType::Forbidden,
        D::Blank { .. }
        | D::Invalid { .. }
        | D::NotAUser { .. }
        | D::PresetAssigneeNotVisible { .. } => ProblemType::Validation,
    }
}

fn chat_problem(rejection: &Chat) -> ProblemType {
    match rejection {
        Chat::NotFound | Chat::UnknownMessage { .. } => ProblemType::NotFound,
        Chat::AlreadyExists => ProblemType::Conflict,
        Chat::ChatSwitchedOff
        | Chat::MayNotCreate { .. }
        | Chat::NotAMember
        | Chat::NotAChannelManager
        | Chat::MayNotDeleteMessages
        | Chat::CardComesFromIntegration { .. }
        | Chat::CardBuiltByCaselog { .. } => ProblemType::Forbidden,
        Chat::NotAnAuthor
        | Chat::MessageDeleted { .. }
        | Chat::DirectMessageIsFixed
        | Chat::NotAnAnnouncementChannel
        | Chat::OwnerStays
        | Chat::NotAMemberOfChannel { .. } => ProblemType::Rule,
        Chat::EmptyMessage | Chat::Blank { .. } | Chat::Invalid { .. } => ProblemType::Validation,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = match self {
            ApiError::Problem(problem) => problem,
            ApiError::Conversation(C::NotFound) => Problem::not_found(),
            ApiError::Conversation(rejection) => {
                Problem::new(conversation_problem(&rejection), rejection.to_string())
            }
            ApiError::Directory(rejection) => {
                Problem::new(directory_problem(&rejection), rejection.to_string())
            }
            // Not found says nothing more: not even whether a private channel exists.
            ApiError::Chat(Chat::NotFound) => Problem::not_found(),
            ApiError::Chat(rejection) => {
                Problem::new(chat_problem(&rejection), rejection.to_string())
            }
            ApiError::Internal(error) => Problem::failure(error),
        };
        problem.into_response()
    }
}
