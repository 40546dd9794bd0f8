//! Reading the log: a stream, the whole log after a position, a tenant's events after
//! a position, and the gap-free tail that follows the head.

mod reader;
mod tail;

pub use reader::LogReader;
pub use tail::LogTail;
