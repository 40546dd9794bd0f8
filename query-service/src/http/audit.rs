//! The auditors' routes: a conversation's hash-chain verification, its PDF export,
//! and the tenant's raw event feed. All read the log itself.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, ClientAddress, Problem, ProblemType, QueryParams};
use caselog_schemas::events::RecordKind;
use caselog_schemas::{EventEnvelope, Position, Role, StreamVersion};

use super::cache::{Case, PdfKey, count};
use super::consistency::{MinPosition, settle};
use super::pagination::{Page, limit};
use super::{ApiError, AppState, as_of, audit_access, require_reader};
use crate::audit::replay::{self, conversation_stream};
use crate::audit::{AsOf, access};
use crate::export::{self, ExportError};
use crate::read_models::{Projection, history};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify_conversation))
        .routes(routes!(export_pdf))
        .routes(routes!(raw_events))
}

/// What verification of one conversation's hash chain found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub ok: bool,
    /// Events checked.
    pub events: i64,
    /// Hex SHA-256 of the last event: what a printout of the case shows.
    pub head_hash: Option<String>,
    /// Log position of the last event.
    pub head_position: Option<i64>,
    /// The first stream version whose stored fields or link do not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken_version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Recomputes the conversation's hash chain from the stored events.
#[utoipa::path(get, path = "/v1/conversations/{id}/verify", tag = "audit",
    responses((status = 200, body = Verification)))]
async fn verify_conversation(
    State(state): State<AppState>,
    caller: Caller,
    min: MinPosition,
    Path(id): Path<Uuid>,
) -> Result<Json<Verification>, ApiError> {
    require_reader(&caller)?;
    settle(&state, Projection::History, caller.tenant_id, min).await?;
    audit_access(&state, &caller, id).await?;
    let report = state
        .reader
        .verify_stream(&conversation_stream(caller.tenant_id, id), None)
        .await?;
    if report.events == 0 {
        return Err(Problem::not_found().into());
    }
    Ok(Json(Verification {
        ok: report.ok,
        events: report.events,
        head_hash: report.head_hash,
        head_position: report.head_position.map(|position| position.0),
        first_broken_version: report.first_broken_version.map(|version| version.0),
        reason: report.reason,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedParams {
    /// Events after this log position (0: from the start). `next_cursor` is the next `after`.
    after: Option<i64>,
    limit: Option<i64>,
}

/// The tenant's events exactly as stored (personal fields sealed), in log order.
/// Auditors only.
#[utoipa::path(get, path = "/v1/events", params(FeedParams), tag = "audit",
    responses((status = 200, body = Page<serde_json::Value>)))]
async fn raw_events(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientAddress,
    QueryParams(params): QueryParams<FeedParams>,
) -> Result<Json<Page<EventEnvelope>>, ApiError> {
    caller.require_role(&[Role::Auditor])?;
    let limit = limit(params.limit)?;
    let after = params.after.unwrap_or(0);
    if after < 0 {
        return Err(Problem::validation("after must be a log position (0 or more)").into());
    }
    let events = state
        .reader
        .read_tenant_after(caller.tenant_id, Position(after), limit)
        .await?;
    let read = access::Read {
        caller: &caller,
        client: &client,
        what: RecordKind::RawFeed,
        conversation_id: None,
        as_of: events
            .last()
            .map_or(Position(after), |event| event.position),
    };
    state.access.record(read).await?;
    Ok(Json(Page::new(events, limit, |event| {
        event.position.0.to_string()
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// A log position or an RFC 3339 time: the case as it stood then.
    as_of: Option<String>,
}

/// The case history as a PDF/A-2b document: header, timeline with time and actor,
/// internal entries marked, page numbers, and the chain head it reflects.
#[utoipa::path(get, path = "/v1/conversations/{id}/export.pdf", params(ExportParams),
    tag = "audit", responses((status = 200, content_type = "application/pdf", body = Vec<u8>)))]
async fn export_pdf(
    State(state): State<AppState>,
    caller: Caller,
    client: ClientAddress,
    min: MinPosition,
    Path(id): Path<Uuid>,
    QueryParams(params): QueryParams<ExportParams>,
) -> Result<Response, ApiError> {
    require_reader(&caller)?;
    let as_of: Option<AsOf> = as_of(params.as_of.as_deref())?;
    settle(&state, Projection::History, caller.tenant_id, min).await?;
    audit_access(&state, &caller, id).await?;
    let stream = conversation_stream(caller.tenant_id, id);
    let erased = caselog_eventlog::StreamKeys::new(state.pool.clone())
        .is_erased(&stream)
        .await?;
    if erased {
        state.caches.forget_conversation(caller.tenant_id, id);
    }
    // The head comes from the projection's export-ready case file; an earlier moment,
    // or an erased case (which left the read models), is replayed from the log.
    let projected = match as_of {
        None if !erased => history::case_file(&state.pool, caller.tenant_id, id).await?,
        _ => None,
    };
    let document = match projected {
        Some(file) => replay::with_contact_name(&state.reader, file)
            .await
            .map(Some),
        None => replay::case_document(&state.reader, caller.tenant_id, id, as_of).await,
    }?
    .ok_or_else(Problem::not_found)?;

    let case = &document.file.header;
    let key = PdfKey {
        case: Case {
            tenant_id: caller.tenant_id,
            conversation_id: id,
        },
        stream_version: StreamVersion(case.stream_version),
        erased,
    };
    let mut hit = true;
    let bytes = state
        .caches
        .pdf
        .try_get_with(key, async {
            hit = false;
            let export = &state.export;
            export::render_bounded(document.clone(), export.limits, export.render_time)
                .await
                .map(Arc::new)
        })
        .await
        .map_err(|error| export_problem(&error, state.export.render_time))?;
    count("export", hit);
    let read = access::Read {
        caller: &caller,
        client: &client,
        what: RecordKind::AuditRecord,
        conversation_id: Some(id),
        as_of: Position(case.position),
    };
    state.access.record(read).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"case-{id}-v{}.pdf\"",
                case.stream_version
            ),
        ),
        (
            header::HeaderName::from_static("x-projection-position"),
            case.position.to_string(),
        ),
    ];
    Ok((headers, bytes.as_ref().clone()).into_response())
}

/// Too large a case is the caller's to narrow (`as_of`); out of render time, a retry
/// may find the service less busy.
fn export_problem(error: &ExportError, render_time: std::time::Duration) -> Problem {
    match error {
        ExportError::TooManyEntries { .. } | ExportError::TooManyPages { .. } => {
            Problem::new(ProblemType::Rule, error.to_string())
        }
        ExportError::Cancelled => Problem::unavailable(format!(
            "the export did not render within {} s; retry shortly",
            render_time.as_secs_f32()
        )),
        ExportError::Pdf(_) => {
            Problem::failure(anyhow::anyhow!("rendering the PDF failed: {error}"))
        }
    }
}
