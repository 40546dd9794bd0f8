//! States kept hot between commands, each with the stream version it was folded to, in
//! one typed cache per aggregate: a load reads only the events after that version
//! (usually none: one indexed lookup) instead of the whole stream.
//!
//! Streams' data keys are kept hot too, so a command that seals personal fields does
//! not read its stream's key each time. A key changes only when an erasure destroys
//! it, and an erasure is an append to that same stream: a command that sealed with a
//! key kept from before appends at the version its state was folded to, conflicts, and
//! decides again on the erased state. The process that erases drops the key at once.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use caselog_eventlog::StreamRef;
use caselog_eventlog::erasure::DataKey;

use super::aggregate::Loaded;
use crate::domain::chat::{Channel, ChatReader};
use crate::domain::conversation::Conversation;
use crate::domain::directory::DirectoryEntry;

/// One aggregate's hot states.
pub type States<A> = Cache<StreamRef, Arc<Loaded<A>>>;

/// How long an unused state stays.
const IDLE: Duration = Duration::from_secs(600);

#[derive(Clone)]
pub struct HotStates {
    pub conversations: States<Conversation>,
    pub channels: States<Channel>,
    pub chat_readers: States<ChatReader>,
    pub directory: States<DirectoryEntry>,
    pub keys: Cache<StreamRef, DataKey>,
}

impl HotStates {
    /// A state is a few hundred bytes to a few hundred KiB; conversations are most.
    pub fn new() -> Self {
        Self {
            conversations: states(40_000),
            channels: states(5_000),
            chat_readers: states(5_000),
            directory: states(20_000),
            keys: Cache::builder()
                .max_capacity(60_000)
                .time_to_idle(IDLE)
                .build(),
        }
    }
}

fn states<A: Send + Sync + 'static>(capacity: u64) -> States<A> {
    Cache::builder()
        .max_capacity(capacity)
        .time_to_idle(IDLE)
        .build()
}
