//! The Postgres event log and its JetStream relay.
//!
//! - [`append`]: the only way events enter the log. A group-commit writer batches the
//!   appends waiting at each moment into one transaction under a lock held to commit,
//!   so positions are contiguous and in commit order (README "The event log").
//! - [`read`]: streams, the whole log or one tenant's events after a position, the
//!   command side's lookups, the gap-free tail, and the follower of checkpointed
//!   consumers.
//! - [`hash`] and [`verify`]: the per-stream hash chain (README "The event log").
//! - [`erasure`]: personal fields sealed per stream, erased by destroying the key
//!   (README "Erasure").
//! - [`relay`]: publishes the log to JetStream strictly in position order (README
//!   "The relay").
//!
//! Invariants: events are never updated or deleted; a reader that has seen position P
//! never later finds a committed event below P.

pub mod append;
pub mod checkpoint;
pub mod erasure;
mod error;
pub mod files;
pub mod hash;
mod listen;
mod model;
pub mod read;
pub mod relay;
mod validate;
pub use validate::MAX_EVENT_PAYLOAD_BYTES;
pub mod verify;

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::watch;

pub use append::{EventLog, WriterConfig};
pub use caselog_schemas::Position;
pub use erasure::{ErasureError, StreamKeys, make_readable};
pub use error::{AppendError, ReadError};
pub use files::{FileObjects, StoreError};
pub use listen::listen_for_head;
pub use model::{
    AppendOutcome, AppendRequest, AppendedEvent, ExpectedVersion, NewEvent, StreamRef,
};
pub use read::{EventFilter, Follower, LogFollower, LogReader, LogTail};
pub use verify::ChainReport;

/// The schema that holds the log; its migrations are tracked in their own table there.
pub const SCHEMA: &str = "eventlog";

/// The event log's migrations (embedded at build time), tracked in their own table.
/// `caselog-migrate` applies them as the owner role; services only check them.
pub fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.create_schema(SCHEMA);
    migrator.dangerous_set_table_name("eventlog._sqlx_migrations");
    migrator
}

/// Migrations whose text changed after release, not what they do: version and the
/// SHA-384 of the released text (`caselog_platform::migrations::amend_reworded`).
/// 0003: its first comment named a design document outside the repository.
pub const REWORDED_MIGRATIONS: &[(i64, &str)] = &[(
    3,
    "2103d6f2561f3b54da154729a36e03956e5e2f39a05e36b403a4e322b054f3265a50364619e67f32f032d11b23cff4cc",
)];

/// What the services' runtime role (`role`, already quoted) may do to the log: read
/// it and append to it; never update, delete or truncate an event. Keys may be
/// erased (set to NULL), never deleted.
pub fn runtime_grants(role: &str) -> Vec<String> {
    vec![
        format!("GRANT USAGE ON SCHEMA eventlog TO {role}"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA eventlog TO {role}"),
        format!(
            "GRANT INSERT ON eventlog.events, eventlog.idempotency_keys, eventlog.file_objects \
             TO {role}"
        ),
        format!("GRANT INSERT, UPDATE ON eventlog.stream_keys TO {role}"),
    ]
}

/// Fails unless the event log's schema is at this build's version.
pub async fn require_migrated(pool: &PgPool) -> anyhow::Result<()> {
    caselog_platform::migrations::require(pool, "the event log", &migrator()).await
}

/// A watch channel for the log head, shared by the local writer and the listener.
pub fn head_channel() -> Arc<watch::Sender<Position>> {
    Arc::new(watch::channel(Position::BEFORE_FIRST).0)
}
