//! Bulk exports for a period (README "For auditors"): requested, followed while they
//! run, downloaded as a ZIP. Auditors only.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, ClientAddress, JsonBody, Problem, ProblemType};
use caselog_schemas::Role;
use caselog_schemas::events::RecordKind;

use super::{ApiError, AppState};
use crate::audit::access;
use crate::export::ExportKind;
use crate::export::bulk::{self, Period};
use crate::export::jobs::{self, ExportJob};

/// The most cases one export holds: a longer period is split by its requester.
pub const MAX_CASES: usize = 5000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_export))
        .routes(routes!(export_status))
        .routes(routes!(download_export))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// The cases started at or after this time…
    from: DateTime<Utc>,
    /// …and before this one.
    to: DateTime<Utc>,
    /// `audit_record` (the default) or `transcript`, for every case.
    #[serde(default)]
    kind: ExportKind,
}

/// Starts a bulk export of every case of the tenant started in `[from, to)`: one PDF
/// per case, the JSON Lines of their events with hashes, the tenant's checkpoints and
/// a manifest with the SHA-256 of every file. 202 with the job; follow it at
/// `/v1/exports/{id}`.
#[utoipa::path(post, path = "/v1/exports", request_body = ExportRequest, tag = "audit",
    responses((status = 202, body = ExportJob)))]
async fn request_export(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientAddress,
    JsonBody(body): JsonBody<ExportRequest>,
) -> Result<Response, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    if body.from >= body.to {
        return Err(Problem::validation("from must be before to").into());
    }
    let period = Period {
        from: body.from,
        to: body.to,
    };
    let cases = bulk::cases_in(&state.reader, caller.tenant_id, period).await?;
    if cases.len() > MAX_CASES {
        let message = format!(
            "the period holds {} cases and an export at most {MAX_CASES}; export a shorter one",
            cases.len()
        );
        return Err(Problem::new(ProblemType::Rule, message).into());
    }
    let read = access::Read {
        caller: &caller,
        client: &client,
        what: RecordKind::BulkExport,
        conversation_id: None,
        as_of: state.reader.head().await?,
    };
    state.access.record(read).await?;
    let export_id = Uuid::now_v7();
    let tenant_id = caller.tenant_id;
    jobs::create(
        &state.pool,
        export_id,
        tenant_id,
        caller.user_id.0,
        period,
        body.kind,
        cases.len(),
    )
    .await?;
    tokio::spawn(jobs::run(
        state.pool.clone(),
        state.reader.clone(),
        tenant_id,
        export_id,
        period,
        body.kind,
        cases,
    ));
    let job = jobs::get(&state.pool, tenant_id, export_id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let location = format!("/v1/exports/{export_id}");
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(job),
    )
        .into_response())
}

/// A bulk export's progress (`cases_done` of `cases_total`) and, once `done`, the
/// size and SHA-256 of its ZIP.
#[utoipa::path(get, path = "/v1/exports/{id}", tag = "audit",
    responses((status = 200, body = ExportJob)))]
async fn export_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ExportJob>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let job = jobs::get(&state.pool, caller.tenant_id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    Ok(Json(job))
}

/// The finished export's ZIP; 409 while it runs or after it failed.
#[utoipa::path(get, path = "/v1/exports/{id}/download", tag = "audit",
    responses((status = 200, content_type = "application/zip", body = Vec<u8>)))]
async fn download_export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let job = jobs::get(&state.pool, caller.tenant_id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    if job.status != "done" {
        let message = match job.error {
            Some(error) => format!("the export failed: {error}"),
            None => format!(
                "the export is still running ({} of {} cases)",
                job.cases_done, job.cases_total
            ),
        };
        return Err(Problem::new(ProblemType::Conflict, message).into());
    }
    let zip = jobs::zip(&state.pool, caller.tenant_id, id)
        .await?
        .ok_or_else(Problem::not_found)?;
    let disposition = format!("attachment; filename=\"caselog-export-{id}.zip\"");
    let headers = [
        (header::CONTENT_TYPE, "application/zip".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, zip).into_response())
}
