//! Reading the log: a stream, the whole log after a position, a tenant's events after
//! a position, the command side's lookups, the gap-free tail that follows the head,
//! and the follower that hands a checkpointed consumer the events after its position.

mod follow;
mod lookups;
mod reader;
mod tail;

pub use follow::{EventFilter, Follower, LogFollower};
pub use reader::LogReader;
pub use tail::LogTail;
