//! `GET /v1/internal-messages`: my internal messages across cases — what teammates
//! asked me about which conversation, unread first when I ask for those only.

use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use caselog_platform::http::{Caller, QueryParams};
use caselog_schemas::Position;

use super::consistency::{MinPosition, Read, settle};
use super::pagination::{Page, invalid_cursor, limit};
use super::{ApiError, AppState, require_reader};
use crate::read_models::internal_messages::{self, CaseInternalMessage};
use crate::read_models::{Projection, Viewer};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_internal_messages))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MyInternalMessagesParams {
    /// Only the ones to me that I have not read.
    unread: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The internal messages I sent or received, across the conversations I may see,
/// newest first, each with its conversation.
#[utoipa::path(get, path = "/v1/internal-messages", params(MinPosition, MyInternalMessagesParams),
    tag = "internal messages", responses((status = 200, body = Page<CaseInternalMessage>)))]
async fn my_internal_messages(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    QueryParams(params): QueryParams<MyInternalMessagesParams>,
) -> Result<Read<Page<CaseInternalMessage>>, ApiError> {
    require_reader(&caller)?;
    let viewer = Viewer::of(&caller);
    let limit = limit(params.limit)?;
    let before = params
        .cursor
        .as_deref()
        .map(|cursor| cursor.parse().map(Position).map_err(|_| invalid_cursor()))
        .transpose()?;
    let version = settle(&state, Projection::InternalMessages, viewer.tenant_id, min).await?;
    let only_unread = params.unread.unwrap_or(false);
    let messages =
        internal_messages::mine(&state.pool, &viewer, only_unread, before, limit).await?;
    Ok(Read(
        version,
        Page::new(messages, limit, |item| item.message.position.to_string()),
    ))
}
