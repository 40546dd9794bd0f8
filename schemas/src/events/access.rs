//! Events of the `access` streams (README "Who looked"): every read of a case's record
//! or of the tenant's raw feed by an auditor, owner or admin, recorded before the
//! answer is sent. A case's reads go to the stream whose id is the conversation id;
//! reads of the whole tenant (the raw feed, bulk exports) to the one whose id is the
//! tenant id. Who read is the event's actor; when, its `recorded_at`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::Position;

/// What was read.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A case's history (the timeline), current or as of a moment.
    History,
    /// A case's audit record (PDF, every entry).
    AuditRecord,
    /// A case's customer transcript (PDF, without internal entries).
    Transcript,
    /// The tenant's raw event feed.
    RawFeed,
    /// A bulk export of the tenant's cases for a period.
    BulkExport,
}

/// Events of an `access` stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum AccessEvent {
    /// A record was read.
    RecordRead {
        what: RecordKind,
        /// The case read; none for tenant-wide reads.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<Uuid>,
        /// The log position the answer reflected: the `as_of` asked for, or the log
        /// as it stood when it was read.
        as_of: Position,
        /// The address the request came from (the TCP peer).
        client_address: Option<String>,
        /// What a proxy in front said the client was (`X-Forwarded-For`, unverified).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forwarded_for: Option<String>,
    },
}
