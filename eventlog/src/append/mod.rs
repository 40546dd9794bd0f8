//! Appending to the log: validation, the pure batch plan, the SQL that writes it, and the
//! group-commit writer task that batches concurrent commands into one transaction.

mod batch;
mod group_commit;
mod plan;

pub use batch::{HEAD_CHANNEL, WRITER_LOCK_KEY, now_in_micros, write_batch};
pub use group_commit::{EventLog, WriterConfig};
pub use plan::{BatchPlan, Rejection};
