//! The tenant's settings: replaced whole by `PUT` (every setting named), changed in
//! part by `PATCH` (a JSON merge patch: what is not sent stays as it is).

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_platform::http::{JsonBody, Problem};

use super::AppState;
use super::command_context::CommandContext;
use super::directory::run_directory_command;
use super::error::ApiError;
use super::present;
use super::response::CommandResponse;
use super::roles::ACCOUNT_ADMINS;
use crate::domain::directory::{DirectoryCommand, SettingsChange};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_settings, patch_settings))
}

/// Every setting; the auto-close delay in minutes or in seconds (one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// Minutes after which a resolved conversation closes; null: never.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 71_582_788_i64)]
    auto_close_minutes: Option<Option<u32>>,
    /// The same delay in seconds; when given it takes precedence over the minutes.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    auto_close_seconds: Option<Option<u32>>,
    /// Agents accept an offered conversation before they work on it.
    require_accept: bool,
    /// The internal team chat is on.
    internal_chat_enabled: bool,
}

/// The settings to change; a setting left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 71_582_788_i64)]
    auto_close_minutes: Option<Option<u32>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    auto_close_seconds: Option<Option<u32>>,
    require_accept: Option<bool>,
    internal_chat_enabled: Option<bool>,
}

/// The auto-close delay a body names, in seconds: `None` when it names none,
/// `Some(None)` for "never".
fn auto_close(
    seconds: Option<Option<u32>>,
    minutes: Option<Option<u32>>,
) -> Result<Option<Option<u32>>, Problem> {
    // Each field named is checked, the one that does not count included.
    for (field, value) in [
        ("auto_close_seconds", seconds),
        ("auto_close_minutes", minutes),
    ] {
        if value == Some(Some(0)) {
            return Err(Problem::validation(format!(
                "{field}: must be a positive delay, or null for never"
            )));
        }
    }
    let minutes_as_seconds = match minutes {
        Some(Some(minutes)) => Some(Some(minutes.checked_mul(60).ok_or_else(|| {
            Problem::validation("auto_close_minutes: at most 71582788 (2^32 - 1 seconds)")
        })?)),
        other => other,
    };
    Ok(seconds.or(minutes_as_seconds))
}

/// Replaces the tenant's settings: every setting is named (the auto-close delay as
/// `auto_close_minutes` or `auto_close_seconds`, null for never).
#[utoipa::path(put, path = "/v1/settings", request_body = SettingsBody, tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn put_settings(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<SettingsBody>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let auto_close_seconds = auto_close(body.auto_close_seconds, body.auto_close_minutes)?
        .ok_or_else(|| {
            Problem::validation(
                "auto_close_minutes: a replacement names every setting; send \
                 auto_close_minutes (null for never), or change settings in part with PATCH",
            )
        })?;
    let change = SettingsChange {
        auto_close_seconds: Some(auto_close_seconds),
        require_accept: Some(body.require_accept),
        internal_chat_enabled: Some(body.internal_chat_enabled),
    };
    let tenant = context.tenant().0;
    let command = DirectoryCommand::ChangeSettings(change);
    run_directory_command(&state, &context, tenant, command).await
}

/// Changes the settings the body names (a JSON merge patch); the others stay.
#[utoipa::path(patch, path = "/v1/settings", request_body(content = SettingsPatch,
    content_type = "application/merge-patch+json"), tag = "directory",
    responses((status = 200, body = CommandResponse), (status = 201, body = CommandResponse)))]
async fn patch_settings(
    State(state): State<AppState>,
    context: CommandContext,
    JsonBody(body): JsonBody<SettingsPatch>,
) -> Result<CommandResponse, ApiError> {
    context.require_role(ACCOUNT_ADMINS)?;
    let change = SettingsChange {
        auto_close_seconds: auto_close(body.auto_close_seconds, body.auto_close_minutes)?,
        require_accept: body.require_accept,
        internal_chat_enabled: body.internal_chat_enabled,
    };
    let tenant = context.tenant().0;
    let command = DirectoryCommand::ChangeSettings(change);
    run_directory_command(&state, &context, tenant, command).await
}
