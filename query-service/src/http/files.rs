//! The files library as agents use it: `GET /v1/files` lists it (search by name),
//! `GET /v1/files/{id}/content` downloads an uploaded file.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_eventlog::FileObjects;
use caselog_platform::http::{Caller, Problem, QueryParams};

use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, require_reader};
use crate::read_models::Projection;
use crate::read_models::directory::{self, LibraryFile, Search};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(files))
        .routes(routes!(file_content))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FileParams {
    /// Part of a file's name.
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The tenant's files library, to attach a file to a reply (`file_ids`).
#[utoipa::path(get, path = "/v1/files", params(MinPosition, FileParams), tag = "directory",
    responses((status = 200, body = Page<LibraryFile>)))]
async fn files(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<FileParams>,
) -> Result<Read<Page<LibraryFile>>, ApiError> {
    require_reader(&caller)?;
    let limit = limit(params.limit)?;
    let after = params
        .cursor
        .as_deref()
        .map(|cursor| cursor.parse::<Uuid>().map_err(|_| invalid_cursor()))
        .transpose()?;
    let version = settle(&state, Projection::Directory, caller.tenant_id, min).await?;
    let search = Search { q: params.q };
    let items = directory::files(&state.pool, caller.tenant_id, &search, after, limit).await?;
    Ok(Read(version, Page::new(items, limit, |f| f.id.to_string())))
}

/// An uploaded file's content, with its media type.
#[utoipa::path(get, path = "/v1/files/{id}/content", params(MinPosition), tag = "directory",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>)))]
async fn file_content(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    require_reader(&caller)?;
    settle(&state, Projection::Directory, caller.tenant_id, min).await?;
    let file = directory::file(&state.pool, caller.tenant_id, id)
        .await?
        .filter(|file| file.sha256.is_some())
        .ok_or_else(Problem::not_found)?;
    let content = FileObjects::new(state.pool.clone())
        .get(caller.tenant_id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(([(header::CONTENT_TYPE, file.media_type)], content).into_response())
}
