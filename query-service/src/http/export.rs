//! A case file as PDF/A-2b (README "For auditors"): the audit record or the customer
//! transcript, as of any moment, with who read it when asked.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use caselog_platform::http::{Caller, ClientAddress, Problem, ProblemType, QueryParams};
use caselog_schemas::{Position, StreamVersion};

use super::cache::{Case, PdfKey, count};
use super::consistency::{MinPosition, settle};
use super::{ApiError, AppState, as_of, audit_access, require_reader};
use crate::audit::replay::{self, conversation_stream};
use crate::audit::{AsOf, access};
use crate::export::{self, ExportError, ExportKind};
use crate::read_models::{Projection, history};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_pdf))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// A log position or an RFC 3339 time: the case as it stood then.
    as_of: Option<String>,
    /// `audit_record` (the default: every entry, internal ones marked) or `transcript`
    /// (what the customer saw: no internal messages, notes or assignments).
    kind: Option<ExportKind>,
    /// Add who read the case, and when (README "Who looked").
    include_access: Option<bool>,
}

/// The case file as a PDF/A-2b document: header, summary, every entry in words with
/// each person named as they were then, page numbers, and the chain head it reflects.
#[utoipa::path(get, path = "/v1/conversations/{id}/export.pdf", params(MinPosition, ExportParams),
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
    let kind = params.kind.unwrap_or_default();
    let file = match projected {
        Some(file) => Some(file),
        None => replay::case_file(&state.reader, caller.tenant_id, id, as_of).await?,
    }
    .ok_or_else(Problem::not_found)?;
    let reads = match params.include_access {
        Some(true) => Some(
            state
                .access
                .list(caller.tenant_id, Some(id), Position(0), i64::MAX)
                .await?,
        ),
        _ => None,
    };
    let with_reads = reads.is_some();
    let document = replay::document_of(&state.reader, file, kind, reads).await?;

    let case = &document.file.header;
    let key = PdfKey {
        case: Case {
            tenant_id: caller.tenant_id,
            conversation_id: id,
        },
        stream_version: StreamVersion(case.stream_version),
        erased,
        kind,
    };
    let render = || async {
        let export = &state.export;
        export::render_bounded(document.clone(), export.limits, export.render_time)
            .await
            .map(Arc::new)
    };
    // Who read the case changes with every read: such an export is never cached.
    let mut hit = !with_reads;
    let bytes = if with_reads {
        render().await.map_err(Arc::new)
    } else {
        state
            .caches
            .pdf
            .try_get_with(key, async {
                hit = false;
                render().await
            })
            .await
    }
    .map_err(|error| export_problem(&error, state.export.render_time))?;
    count("export", hit);
    let read = access::Read {
        caller: &caller,
        client: &client,
        what: kind.record_kind(),
        conversation_id: Some(id),
        as_of: Position(case.position),
    };
    state.access.record(read).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"case-{id}-v{}-{}.pdf\"",
                case.stream_version,
                match kind {
                    ExportKind::AuditRecord => "record",
                    ExportKind::Transcript => "transcript",
                }
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
