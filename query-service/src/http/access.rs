//! Who looked (README "Who looked"): the records of reads, for auditors.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, QueryParams};
use caselog_schemas::Role;

use super::pagination::{Page, after_position, limit};
use super::{ApiError, AppState};
use crate::audit::access::AccessRecord;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(access_records))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessParams {
    /// Only the reads of this case.
    conversation_id: Option<Uuid>,
    /// Records after this log position (0: from the first). `next_cursor` is the next `after`.
    after: Option<i64>,
    limit: Option<i64>,
}

/// Every read of a case's record (history, export) or of the raw feed by an auditor,
/// owner or admin: who (user and role), what, as of which position, when and from
/// where, oldest first. Auditors only.
#[utoipa::path(get, path = "/v1/audit/access", params(AccessParams), tag = "audit",
    responses((status = 200, body = Page<AccessRecord>)))]
async fn access_records(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(params): QueryParams<AccessParams>,
) -> Result<Json<Page<AccessRecord>>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let limit = limit(params.limit)?;
    let after = after_position(params.after)?;
    let records = state
        .access
        .list(caller.tenant_id, params.conversation_id, after, limit)
        .await?;
    Ok(Json(Page::new(records, limit, |record| {
        record.position.to_string()
    })))
}
