//! A case as it stood at any moment, folded from the log with the same code the
//! history projection uses ([`CaseFile`]). Erased content reads as placeholders.

use uuid::Uuid;

use caselog_eventlog::{LogReader, ReadError, StreamRef, make_readable};
use caselog_read_model::case_file::{CaseFile, TimelineEntry};
use caselog_schemas::{Position, StreamId, StreamType, TenantId};

use super::AsOf;
use super::access::AccessRecord;
use super::narration::narrate;
use super::people::People;
use crate::export::{CaseDocument, ExportKind};
use crate::read_models::history::HistoryEntry;

pub fn conversation_stream(tenant_id: TenantId, conversation_id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("conversation").expect("a valid stream type"),
        stream_id: StreamId(conversation_id),
    }
}

/// The case file as of `as_of` (the head when `None`); `None` when the tenant has no
/// such conversation, or it had not started yet at that moment.
pub async fn case_file(
    reader: &LogReader,
    tenant_id: TenantId,
    conversation_id: Uuid,
    as_of: Option<AsOf>,
) -> Result<Option<CaseFile>, ReadError> {
    let (position, time) = as_of.map_or((Position(i64::MAX), None), AsOf::bounds);
    let stream = conversation_stream(tenant_id, conversation_id);
    let mut events = reader.read_stream_until(&stream, position, time).await?;
    if events.is_empty() {
        return Ok(None);
    }
    make_readable(reader.pool(), &mut events).await?;
    CaseFile::fold(&events)
        .map(Some)
        .map_err(|error| ReadError::Undecodable {
            position: events.last().map_or(0, |event| event.position.0),
            reason: error.to_string(),
        })
}

/// What an export prints, replayed from the log as of `as_of`.
pub async fn case_document(
    reader: &LogReader,
    tenant_id: TenantId,
    conversation_id: Uuid,
    as_of: Option<AsOf>,
    kind: ExportKind,
) -> Result<Option<CaseDocument>, ReadError> {
    let Some(file) = case_file(reader, tenant_id, conversation_id, as_of).await? else {
        return Ok(None);
    };
    document_of(reader, file, kind, None).await.map(Some)
}

/// The document of `file`, everyone it names (and everyone who read it, when `access`
/// is given) named as the directory had them.
pub async fn document_of(
    reader: &LogReader,
    file: CaseFile,
    kind: ExportKind,
    access: Option<Vec<AccessRecord>>,
) -> Result<CaseDocument, ReadError> {
    let reads = access.as_deref().unwrap_or_default();
    let mut named: Vec<Uuid> = reads.iter().filter_map(|read| read.user_id).collect();
    named.extend(file.header.contact_id);
    let up_to = reads
        .iter()
        .map(|read| read.position)
        .fold(file.header.position, i64::max);
    let people = People::load(
        reader,
        TenantId(file.header.tenant_id),
        &file.entries,
        &named,
        Position(up_to),
    )
    .await?;
    Ok(CaseDocument {
        file,
        people,
        kind,
        access,
    })
}

/// Fills each entry's `actor_name` and `text`, naming people as they were at its
/// position.
pub async fn tell(
    reader: &LogReader,
    tenant_id: TenantId,
    contact_id: Option<Uuid>,
    entries: &mut [HistoryEntry],
) -> Result<(), ReadError> {
    let timeline: Vec<TimelineEntry> = entries.iter().map(TimelineEntry::from).collect();
    let up_to = timeline.last().map_or(0, |entry| entry.position);
    let named: Vec<Uuid> = contact_id.into_iter().collect();
    let people = People::load(reader, tenant_id, &timeline, &named, Position(up_to)).await?;
    for (entry, timeline) in entries.iter_mut().zip(&timeline) {
        let told = narrate(timeline, &people, contact_id);
        entry.text = told.full();
        entry.actor_name = told.actor_name;
    }
    Ok(())
}
