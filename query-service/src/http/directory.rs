//! The directory: contacts (one, or a search), snippets, users (a search by name,
//! email and role), and the tenant's settings.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, Problem, QueryParams};
use caselog_schemas::Role;

use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, require_reader};
use crate::read_models::Projection;
use crate::read_models::directory::{self, Contact, Search, Snippet, User};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contact))
        .routes(routes!(contacts))
        .routes(routes!(snippets))
        .routes(routes!(users))
        .routes(routes!(settings))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactSearchParams {
    /// Part of a name, an email, or a phone number (its digits).
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UserSearchParams {
    /// Part of a name or an email.
    q: Option<String>,
    /// Only users of this role (`supervisor` to call one).
    role: Option<Role>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The tenant's settings as they stand (the defaults until an admin changes them).
#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// Whole minutes after which a resolved conversation closes; null: never.
    auto_close_minutes: Option<u32>,
    /// The same delay in seconds.
    auto_close_seconds: Option<u32>,
    require_accept: bool,
    internal_chat_enabled: bool,
}

fn id_cursor(cursor: &Option<String>) -> Result<Option<Uuid>, Problem> {
    cursor
        .as_deref()
        .map(|text| text.parse().map_err(|_| invalid_cursor()))
        .transpose()
}

/// A contact with its presets.
#[utoipa::path(get, path = "/v1/contacts/{id}", params(MinPosition), tag = "directory",
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
#[utoipa::path(get, path = "/v1/snippets", params(MinPosition, ListParams), tag = "directory",
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

/// The tenant's contacts, or those matching `q`, to start a new chat with one.
#[utoipa::path(get, path = "/v1/contacts", params(MinPosition, ContactSearchParams), tag = "directory",
    responses((status = 200, body = Page<Contact>)))]
async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<ContactSearchParams>,
) -> Result<Read<Page<Contact>>, ApiError> {
    require_reader(&caller)?;
    let tenant_id = caller.tenant_id;
    let limit = limit(params.limit)?;
    let version = settle(&state, Projection::Directory, tenant_id, min).await?;
    let search = Search { q: params.q };
    let after = id_cursor(&params.cursor)?;
    let items = directory::contacts(&state.pool, tenant_id, &search, after, limit).await?;
    Ok(Read(version, Page::new(items, limit, |c| c.id.to_string())))
}

/// The tenant's users, or those matching `q` and `role` (an agent looking for a
/// supervisor to call).
#[utoipa::path(get, path = "/v1/users", params(MinPosition, UserSearchParams), tag = "directory",
    responses((status = 200, body = Page<User>)))]
async fn users(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<UserSearchParams>,
) -> Result<Read<Page<User>>, ApiError> {
    require_reader(&caller)?;
    let tenant_id = caller.tenant_id;
    let limit = limit(params.limit)?;
    let version = settle(&state, Projection::Directory, tenant_id, min).await?;
    let search = Search { q: params.q };
    let after = id_cursor(&params.cursor)?;
    let items =
        directory::users(&state.pool, tenant_id, &search, params.role, after, limit).await?;
    Ok(Read(version, Page::new(items, limit, |u| u.id.to_string())))
}

/// The tenant's settings.
#[utoipa::path(get, path = "/v1/settings", params(MinPosition), tag = "directory",
    responses((status = 200, body = Settings)))]
async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
) -> Result<Read<Settings>, ApiError> {
    require_reader(&caller)?;
    let version = settle(&state, Projection::Directory, caller.tenant_id, min).await?;
    let settings = directory::settings(&state.pool, caller.tenant_id).await?;
    Ok(Read(
        version,
        Settings {
            auto_close_minutes: settings.auto_close_seconds.map(|seconds| seconds / 60),
            auto_close_seconds: settings.auto_close_seconds,
            require_accept: settings.require_accept,
            internal_chat_enabled: settings.internal_chat_enabled,
        },
    ))
}
