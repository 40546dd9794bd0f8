//! The directory: `GET /v1/contacts/{id}`, `GET /v1/snippets`, `GET /v1/users`.

use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, Problem, QueryParams};

use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, require_reader};
use crate::read_models::Projection;
use crate::read_models::directory::{self, Contact, Snippet, User};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contact))
        .routes(routes!(snippets))
        .routes(routes!(users))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<i64>,
    cursor: Option<String>,
}

fn id_cursor(cursor: &Option<String>) -> Result<Option<Uuid>, Problem> {
    cursor
        .as_deref()
        .map(|text| text.parse().map_err(|_| invalid_cursor()))
        .transpose()
}

/// A contact with its presets.
#[utoipa::path(get, path = "/v1/contacts/{id}", tag = "directory",
    responses((status = 200, body = Contact)))]
async fn contact(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Read<Contact>, ApiError> {
    require_reader(&caller)?;
    let tenant_id = caller.tenant_id;
    let version = settle(&state, Projection::Directory, tenant_id, min).await?;
    let contact = directory::contact(&state.pool, tenant_id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Read(version, contact))
}

/// The tenant's snippets.
#[utoipa::path(get, path = "/v1/snippets", params(ListParams), tag = "directory",
    responses((status = 200, body = Page<Snippet>)))]
async fn snippets(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Read<Page<Snippet>>, ApiError> {
    require_reader(&caller)?;
    let tenant_id = caller.tenant_id;
    let limit = limit(params.limit)?;
    let version = settle(&state, Projection::Directory, tenant_id, min).await?;
    let items =
        directory::snippets(&state.pool, tenant_id, id_cursor(&params.cursor)?, limit).await?;
    Ok(Read(version, Page::new(items, limit, |s| s.id.to_string())))
}

/// The tenant's users.
#[utoipa::path(get, path = "/v1/users", params(ListParams), tag = "directory",
    responses((status = 200, body = Page<User>)))]
async fn users(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Read<Page<User>>, ApiError> {
    require_reader(&caller)?;
    let tenant_id = caller.tenant_id;
    let limit = limit(params.limit)?;
    let version = settle(&state, Projection::Directory, tenant_id, min).await?;
    let items = directory::users(&state.pool, tenant_id, id_cursor(&params.cursor)?, limit).await?;
    Ok(Read(version, Page::new(items, limit, |u| u.id.to_string())))
}
