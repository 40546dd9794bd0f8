//! A case as it stood at any moment, folded from the log with the same code the
//! history projection uses ([`CaseFile`]). Erased content reads as placeholders.

use uuid::Uuid;

use caselog_eventlog::{LogReader, ReadError, StreamRef, make_readable};
use caselog_read_model::case_file::CaseFile;
use caselog_schemas::events::DirectoryEvent;
use caselog_schemas::{Position, StreamId, StreamType, TenantId};

use super::AsOf;
use crate::export::CaseDocument;

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
) -> Result<Option<CaseDocument>, ReadError> {
    let Some(file) = case_file(reader, tenant_id, conversation_id, as_of).await? else {
        return Ok(None);
    };
    with_contact_name(reader, file).await.map(Some)
}

/// Adds the contact's name as of the case file's position.
pub async fn with_contact_name(
    reader: &LogReader,
    file: CaseFile,
) -> Result<CaseDocument, ReadError> {
    let contact_name = match file.header.contact_id {
        Some(contact_id) => {
            contact_name(
                reader,
                TenantId(file.header.tenant_id),
                contact_id,
                Position(file.header.position),
            )
            .await?
        }
        None => None,
    };
    Ok(CaseDocument { file, contact_name })
}

/// The contact's name as it stood at `position` (placeholder once the contact is erased).
pub async fn contact_name(
    reader: &LogReader,
    tenant_id: TenantId,
    contact_id: Uuid,
    position: Position,
) -> Result<Option<String>, ReadError> {
    let stream = StreamRef {
        tenant_id,
        stream_type: StreamType::new("directory").expect("a valid stream type"),
        stream_id: StreamId(contact_id),
    };
    let mut events = reader.read_stream_until(&stream, position, None).await?;
    make_readable(reader.pool(), &mut events).await?;
    let mut name = None;
    for event in &events {
        if let Ok(DirectoryEvent::ContactUpserted { name: upserted, .. }) =
            caselog_schemas::events::from_stored(&event.event_type, &event.payload)
        {
            name = Some(upserted);
        }
    }
    Ok(name)
}
