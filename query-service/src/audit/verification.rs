//! Recomputes one stream's hash chain (a conversation's `verify` route and
//! `query-service verify --conversation`); a tenant's or the log's walk is in `trust`.

use serde::Serialize;

use caselog_eventlog::{ChainReport, LogReader, ReadError, StreamRef};

/// One stream's report, named.
#[derive(Debug, Serialize)]
pub struct StreamReport {
    pub stream_type: String,
    pub stream_id: uuid::Uuid,
    #[serde(flatten)]
    pub report: ChainReport,
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
