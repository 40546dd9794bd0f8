//! The files library: owners, admins and supervisors add files — at a URL, or
//! uploaded (at most the request body limit, 1 MiB) — and remove them; agents list
//! them (query service) and attach them to replies by id.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_eventlog::StoreError;
use caselog_platform::http::{JsonBody, Problem, ProblemType, QueryParams};

use super::AppState;
use super::command_context::CommandContext;
use super::directory::run_directory_command;
use super::error::ApiError;
use super::response::CommandResponse;
use super::roles::FILE_MANAGERS;
use crate::domain::directory::{DirectoryCommand, FileFields};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link_file, remove_file))
        .routes(routes!(upload_file))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedFileBody {
    #[schema(pattern = "\\S")]
    name: String,
    media_type: String,
    #[schema(maximum = 9_007_199_254_740_991_u64)]
    size_bytes: u64,
    /// Where the file is (http or https).
    url: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    /// The file's name, as agents see it.
    #[param(pattern = "\\S")]
    name: String,
}

/// 2^53 - 1: a size above it reads back rounded in JavaScript and other readers.
const MAX_SAFE_SIZE: u64 = 9_007_199_254_740_991;

/// Adds (or replaces) a file found at a URL.
#[utoipa::path(put, path = "/v1/files/{id}", request_body = LinkedFileBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn link_file(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<LinkedFileBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(FILE_MANAGERS)?;
    if body.size_bytes > MAX_SAFE_SIZE {
        return Err(Problem::validation(format!(
            "size_bytes: at most {MAX_SAFE_SIZE} (the largest integer every JSON reader keeps exact)"
        ))
        .into());
    }
    let command = DirectoryCommand::AddFile(FileFields {
        name: body.name,
        media_type: body.media_type,
        size_bytes: body.size_bytes,
        url: Some(body.url),
        sha256: None,
    });
    run_directory_command(&state, &context, id, command).await
}

/// Uploads a file: the body is its content (at most 1 MiB, the request body limit),
/// its `Content-Type` its media type. The bytes are stored once under the id.
#[utoipa::path(put, path = "/v1/files/{id}/content", params(UploadParams), tag = "directory",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn upload_file(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<UploadParams>,
    headers: HeaderMap,
    content: Bytes,
) -> Result<CommandResponse, ApiError> {
    context.require_role(FILE_MANAGERS)?;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    if content.is_empty() {
        return Err(Problem::validation("an uploaded file has content").into());
    }
    let sha256 = match state.files.put(context.tenant(), id, &content).await {
        Ok(sha256) => sha256,
        Err(StoreError::Taken(_)) => {
            return Err(Problem::new(
                ProblemType::Conflict,
                format!("file {id} already holds other content: upload it under a new id"),
            )
            .into());
        }
        Err(StoreError::Database(error)) => return Err(ApiError::Internal(error.into())),
    };
    let command = DirectoryCommand::AddFile(FileFields {
        name: params.name,
        media_type,
        size_bytes: u64::try_from(content.len()).unwrap_or(u64::MAX),
        url: None,
        sha256: Some(sha256),
    });
    run_directory_command(&state, &context, id, command).await
}

/// Removes a file from the library (an uploaded file's bytes stay, as the log does).
#[utoipa::path(delete, path = "/v1/files/{id}", tag = "directory",
    responses((status = 200, body = CommandResponse)))]
async fn remove_file(
    State(state): State<AppState>,
    context: CommandContext,
    Path(id): Path<Uuid>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(FILE_MANAGERS)?;
    run_directory_command(&state, &context, id, DirectoryCommand::RemoveFile).await
}
