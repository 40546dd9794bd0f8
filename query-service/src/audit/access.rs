//! Who looked (README "Who looked"): an auditor's, owner's or admin's read of a case's
//! record or of the raw feed is appended to the log as a `RecordRead` event before the
//! answer leaves, so the record is append-only, chained and checkpointed like the
//! cases themselves. A read that cannot be recorded is not served.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_eventlog::{
    AppendError, AppendRequest, EventLog, ExpectedVersion, LogReader, NewEvent, ReadError,
    StreamRef,
};
use caselog_platform::http::{Caller, ClientAddress};
use caselog_schemas::events::{AccessEvent, RecordKind, from_stored, to_stored};
use caselog_schemas::{
    Actor, EventEnvelope, EventMetadata, Position, Role, StreamId, StreamType, TenantId,
};

const STREAM_TYPE: &str = "access";

/// One read, as an auditor lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessRecord {
    /// The record's own log position (the cursor).
    pub position: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub role: String,
    pub what: RecordKind,
    pub conversation_id: Option<Uuid>,
    /// The log position the answer reflected.
    pub as_of: i64,
    pub client_address: Option<String>,
    pub forwarded_for: Option<String>,
}

/// Whose reads are recorded: the roles that read cases they are not working on.
pub fn is_recorded(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::Owner | Role::Admin)
}

/// The record of reads: appends through a writer of the log's own.
#[derive(Clone)]
pub struct AccessLog {
    log: EventLog,
    reader: LogReader,
}

/// One read about to be answered.
pub struct Read<'a> {
    pub caller: &'a Caller,
    pub client: &'a ClientAddress,
    pub what: RecordKind,
    pub conversation_id: Option<Uuid>,
    pub as_of: Position,
}

impl AccessLog {
    pub fn new(log: EventLog, reader: LogReader) -> Self {
        Self { log, reader }
    }

    /// Records `read` when its caller's reads are recorded.
    pub async fn record(&self, read: Read<'_>) -> Result<(), AppendError> {
        if !is_recorded(read.caller.role) {
            return Ok(());
        }
        let tenant_id = read.caller.tenant_id;
        let (event_type, payload) = to_stored(&AccessEvent::RecordRead {
            what: read.what,
            conversation_id: read.conversation_id,
            as_of: read.as_of,
            client_address: read.client.peer.clone(),
            forwarded_for: read.client.forwarded_for.clone(),
        });
        let actor = Actor {
            user_id: Some(read.caller.user_id),
            role: read.caller.role.as_str().to_owned(),
        };
        self.log
            .append(AppendRequest {
                stream: stream(tenant_id, read.conversation_id),
                expected_version: ExpectedVersion::Any,
                events: vec![NewEvent {
                    event_type,
                    schema_version: 1,
                    payload,
                }],
                metadata: EventMetadata::for_new_command(actor),
                idempotency_key: None,
                request_fingerprint: None,
                erases_stream: false,
            })
            .await
            .map(|_| ())
    }

    /// The tenant's records (of one case, when given) after `after`, oldest first.
    pub async fn list(
        &self,
        tenant_id: TenantId,
        conversation_id: Option<Uuid>,
        after: Position,
        limit: i64,
    ) -> Result<Vec<AccessRecord>, ReadError> {
        let stream_type = StreamType::new(STREAM_TYPE).expect("a valid stream type");
        let events = self
            .reader
            .read_tenant_streams_after(
                tenant_id,
                &stream_type,
                conversation_id.map(StreamId),
                after,
                limit,
            )
            .await?;
        events.iter().map(record_of).collect()
    }
}

/// A case's reads go to its own stream; tenant-wide reads to the tenant's.
fn stream(tenant_id: TenantId, conversation_id: Option<Uuid>) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new(STREAM_TYPE).expect("a valid stream type"),
        stream_id: StreamId(conversation_id.unwrap_or(tenant_id.0)),
    }
}

fn record_of(event: &EventEnvelope) -> Result<AccessRecord, ReadError> {
    let AccessEvent::RecordRead {
        what,
        conversation_id,
        as_of,
        client_address,
        forwarded_for,
    } = from_stored(&event.event_type, &event.payload).map_err(|error| ReadError::Undecodable {
        position: event.position.0,
        reason: error.to_string(),
    })?;
    Ok(AccessRecord {
        position: event.position.0,
        at: event.recorded_at,
        user_id: event.metadata.actor.user_id.map(|user| user.0),
        role: event.metadata.actor.role.clone(),
        what,
        conversation_id,
        as_of: as_of.0,
        client_address,
        forwarded_for,
    })
}
