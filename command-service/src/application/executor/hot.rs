//! States kept hot between commands, each with the stream version it was folded to, in
//! one typed cache per aggregate: a load reads only the events after that version
//! (usually none: one indexed lookup) instead of the whole stream.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use caselog_eventlog::StreamRef;

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
}

impl HotStates {
    /// A state is a few hundred bytes to a few hundred KiB; conversations are most.
    pub fn new() -> Self {
        Self {
            conversations: states(40_000),
            channels: states(5_000),
            chat_readers: states(5_000),
            directory: states(20_000),
        }
    }
}

fn states<A: Send + Sync + 'static>(capacity: u64) -> States<A> {
    Cache::builder()
        .max_capacity(capacity)
        .time_to_idle(IDLE)
        .build()
}
