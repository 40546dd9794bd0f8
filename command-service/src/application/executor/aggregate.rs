//! What the executor runs commands on: a state folded from its stream, typed per
//! aggregate, with the hot-state cache that aggregate's states live in.

use serde::Serialize;
use serde::de::DeserializeOwned;

use caselog_schemas::{Position, StreamVersion};

use super::hot::{HotStates, States};

/// A state folded from its stream's events.
pub trait Aggregate: Default + Clone + Send + Sync + 'static {
    type Event: Serialize + DeserializeOwned + Send + Sync;
    /// Where this aggregate's hot states are kept.
    fn states(hot: &HotStates) -> &States<Self>;
    fn apply(self, event: &Self::Event) -> Self;
    /// True when appending `event` erases the stream (its personal data key is destroyed).
    fn erases(_event: &Self::Event) -> bool {
        false
    }
    /// True once the state has seen an event that `erases`.
    fn was_erased(_state: &Self) -> bool {
        false
    }
}

impl Aggregate for crate::domain::conversation::Conversation {
    fn states(hot: &HotStates) -> &States<Self> {
        &hot.conversations
    }
    type Event = caselog_schemas::events::ConversationEvent;
    fn apply(self, event: &Self::Event) -> Self {
        self.evolve(event)
    }
    fn erases(event: &Self::Event) -> bool {
        matches!(event, Self::Event::ConversationDeleted {})
    }
    fn was_erased(state: &Self) -> bool {
        matches!(state.status, crate::domain::conversation::Status::Deleted)
    }
}

impl Aggregate for crate::domain::chat::Channel {
    fn states(hot: &HotStates) -> &States<Self> {
        &hot.channels
    }
    type Event = caselog_schemas::events::ChatChannelEvent;
    fn apply(self, event: &Self::Event) -> Self {
        self.evolve(event)
    }
}

impl Aggregate for crate::domain::chat::ChatReader {
    fn states(hot: &HotStates) -> &States<Self> {
        &hot.chat_readers
    }
    type Event = caselog_schemas::events::ChatReaderEvent;
    fn apply(self, _event: &Self::Event) -> Self {
        self
    }
}

impl Aggregate for crate::domain::directory::DirectoryEntry {
    fn states(hot: &HotStates) -> &States<Self> {
        &hot.directory
    }
    type Event = caselog_schemas::events::DirectoryEvent;
    fn apply(self, event: &Self::Event) -> Self {
        self.evolve(event)
    }
    fn erases(event: &Self::Event) -> bool {
        matches!(
            event,
            Self::Event::UserErased {} | Self::Event::ContactErased {}
        )
    }
    fn was_erased(state: &Self) -> bool {
        matches!(state, Self::ErasedUser | Self::ErasedContact)
    }
}

/// A rejection that may hide the stream itself (the caller may not see it): a replay
/// of an idempotent command is refused the same way, never answered.
pub trait Refusal {
    fn hides_the_stream(&self) -> bool {
        false
    }
}

impl Refusal for () {}

impl Refusal for crate::domain::conversation::ConversationRejection {
    fn hides_the_stream(&self) -> bool {
        matches!(self, Self::NotFound)
    }
}

impl Refusal for crate::domain::chat::ChatRejection {
    fn hides_the_stream(&self) -> bool {
        matches!(self, Self::NotFound)
    }
}

impl Refusal for crate::domain::directory::DirectoryRejection {}

/// A stream's state as of its current version.
#[derive(Clone, Default)]
pub struct Loaded<A> {
    pub state: A,
    pub version: StreamVersion,
    /// The log position of the stream's last event.
    pub position: Position,
}
