//! A period's cases in one ZIP (README "For auditors"): every conversation of the tenant
//! started in the period as a PDF (the audit record or the customer transcript, as of
//! now), the JSON Lines of their events as stored with every hash, the tenant's signed
//! checkpoints, and a manifest with the SHA-256 of every file.

use std::io::Write;

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use caselog_eventlog::{LogReader, ReadError};
use caselog_schemas::{EventEnvelope, Position, StreamType, TenantId};

use super::{ExportError, ExportKind, RenderLimits, StopFlag, render};
use crate::audit::replay::{self, conversation_stream};

/// The cases of a tenant started in `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Log(#[from] ReadError),
    #[error("case {conversation_id}: {error}")]
    Render {
        conversation_id: Uuid,
        error: ExportError,
    },
    #[error("writing the ZIP failed: {0}")]
    Zip(String),
}

/// The conversations of `tenant_id` started in `period`, oldest first.
pub async fn cases_in(
    reader: &LogReader,
    tenant_id: TenantId,
    period: Period,
) -> Result<Vec<Uuid>, ReadError> {
    reader
        .conversations_started_between(tenant_id, period.from, period.to)
        .await
}

/// One file of the archive, named in the manifest.
struct Entry {
    name: String,
    bytes: Vec<u8>,
}

/// Builds the archive of `cases`, telling `progress` how many are done after each.
pub async fn build(
    reader: &LogReader,
    tenant_id: TenantId,
    period: Period,
    kind: ExportKind,
    cases: &[Uuid],
    progress: &tokio::sync::watch::Sender<usize>,
) -> Result<Vec<u8>, BulkError> {
    let mut files = Vec::with_capacity(cases.len() + 3);
    let mut events = Vec::new();
    let mut listed = Vec::with_capacity(cases.len());
    for (done, &conversation_id) in cases.iter().enumerate() {
        let stream = conversation_stream(tenant_id, conversation_id);
        let stored = reader
            .read_stream(&stream, caselog_schemas::StreamVersion::NONE)
            .await?;
        events.extend(stored.iter().map(jsonl));
        if let Some(file) = replay::case_file(reader, tenant_id, conversation_id, None).await? {
            listed.push(json!({
                "conversation_id": conversation_id,
                "file": format!("cases/{conversation_id}.pdf"),
                "stream_version": file.header.stream_version,
                "head_hash": file.header.head_hash,
            }));
            let document = replay::document_of(reader, file, kind, None).await?;
            let bytes = tokio::task::spawn_blocking(move || {
                render(&document, RenderLimits::UNBOUNDED, &StopFlag::new(false))
            })
            .await
            .map_err(|error| BulkError::Zip(error.to_string()))?
            .map_err(|error| BulkError::Render {
                conversation_id,
                error,
            })?;
            files.push(Entry {
                name: format!("cases/{conversation_id}.pdf"),
                bytes,
            });
        }
        progress.send_replace(done + 1);
    }
    files.push(Entry {
        name: "events.jsonl".into(),
        bytes: events.concat(),
    });
    let checkpoint = StreamType::new("checkpoint").expect("a valid stream type");
    let checkpoints = reader
        .read_tenant_streams_after(tenant_id, &checkpoint, None, Position(0), i64::MAX)
        .await?;
    files.push(Entry {
        name: "checkpoints.jsonl".into(),
        bytes: checkpoints.iter().flat_map(jsonl).collect(),
    });
    let head = reader.head().await?;
    let manifest = manifest(tenant_id, period, kind, head, &listed, &files);
    files.push(Entry {
        name: "manifest.json".into(),
        bytes: manifest,
    });
    zipped(&files)
}

fn jsonl(event: &EventEnvelope) -> Vec<u8> {
    let mut line = serde_json::to_vec(event).expect("an envelope serialises");
    line.push(b'\n');
    line
}

fn manifest(
    tenant_id: TenantId,
    period: Period,
    kind: ExportKind,
    head: Position,
    cases: &[serde_json::Value],
    files: &[Entry],
) -> Vec<u8> {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|file| {
            json!({
                "name": file.name,
                "bytes": file.bytes.len(),
                "sha256": hex::encode(Sha256::digest(&file.bytes)),
            })
        })
        .collect();
    serde_json::to_vec_pretty(&json!({
        "tenant_id": tenant_id,
        "period": {"from": period.from, "to": period.to},
        "kind": kind,
        "log_position": head,
        "cases": cases,
        "files": files,
        "verify": "tools/caselog_verify.py --jsonl events.jsonl --checkpoints checkpoints.jsonl --cases --public-key <the operator's>",
    }))
    .expect("a manifest serialises")
}

fn zipped(files: &[Entry]) -> Result<Vec<u8>, BulkError> {
    let zip_error = |error: zip::result::ZipError| BulkError::Zip(error.to_string());
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    for file in files {
        zip.start_file(file.name.as_str(), options)
            .map_err(zip_error)?;
        zip.write_all(&file.bytes)
            .map_err(|error| BulkError::Zip(error.to_string()))?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}
