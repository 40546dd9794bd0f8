//! The read side's contract, shared by the service that writes the read models
//! (projection-service) and the one that reads them (query-service), so neither
//! depends on the other:
//!
//! - [`Projection`]: every read model's identity — its name, its schema (`rm_*`), the
//!   durable JetStream consumer it is fed through, the locks its writers take. The one
//!   list of read models.
//! - [`migrations`]: the read models' tables, applied by `caselog-migrate`.
//! - [`case_file`]: a conversation's timeline and header, folded from its events; the
//!   history projection stores it, the auditors' as-of replay folds it from the log.
//! - [`ConversationStatus`]: the typed status column of the inbox and the case file.
//! - [`PROGRESS_CHANNEL`]: where the projection service announces how far it applied.

pub mod case_file;
pub mod migrations;
mod projection;
mod status;

pub use projection::{
    OWNER_LOCK_KEY, PROJECTIONS_CONSUMER, Projection, RETIRED_CONSUMERS, durable_consumers,
};
pub use status::ConversationStatus;

/// The Postgres `NOTIFY` channel on which the projection service announces each
/// projection's new checkpoint (`<name>:<position>`), so a query waiting for
/// `X-Min-Position` wakes at once instead of polling.
pub const PROGRESS_CHANNEL: &str = "caselog_projection_progress";
