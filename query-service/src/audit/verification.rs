//! Recomputes hash chains: one conversation's, or every stream of a tenant (the
//! offline `query-service verify`).

use serde::Serialize;

use caselog_eventlog::{ChainReport, LogReader, ReadError, StreamRef};
use caselog_schemas::TenantId;

/// One stream's report, named.
#[derive(Debug, Serialize)]
pub struct StreamReport {
    pub stream_type: String,
    pub stream_id: uuid::Uuid,
    #[serde(flatten)]
    pub report: ChainReport,
}

/// A tenant's verification: every stream, and the broken ones first in `broken`.
#[derive(Debug, Serialize)]
pub struct TenantReport {
    pub tenant_id: uuid::Uuid,
    pub ok: bool,
    pub streams: usize,
    pub events: i64,
    pub broken: Vec<StreamReport>,
}

pub async fn verify_stream(
    reader: &LogReader,
    stream: &StreamRef,
) -> Result<StreamReport, ReadError> {
    Ok(StreamReport {
        stream_type: stream.stream_type.as_str().to_owned(),
        stream_id: stream.stream_id.0,
        report: reader.verify_stream(stream, None).await?,
    })
}

pub async fn verify_tenant(
    reader: &LogReader,
    tenant_id: TenantId,
) -> Result<TenantReport, ReadError> {
    let streams = reader.streams_of(tenant_id).await?;
    let mut report = TenantReport {
        tenant_id: tenant_id.0,
        ok: true,
        streams: streams.len(),
        events: 0,
        broken: Vec::new(),
    };
    for stream in &streams {
        let checked = verify_stream(reader, stream).await?;
        report.events += checked.report.events;
        if !checked.report.ok {
            report.ok = false;
            report.broken.push(checked);
        }
    }
    Ok(report)
}
