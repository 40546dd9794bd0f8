//! Load -> decide -> append, for any aggregate. A version race (another command
//! appended between our read and our append) is decided again on the fresh state, up
//! to `MAX_ATTEMPTS` times, unless the client pinned the version with `If-Match`:
//! then the race is the client's to resolve and it gets 409.
//!
//! Within one process, commands on the same stream take turns (a striped lock held
//! from load to append), so they never race each other: N concurrent commands on one
//! conversation cost N appends, not N² attempts. Races left are between processes.
//!
//! States stay hot between commands, each with the stream version it was folded to:
//! a load reads only the events after that version (usually none: one indexed
//! lookup), instead of the whole stream, so a long conversation or a busy chat
//! channel costs no more per command than a new one.
//!
//! A command decides on its hot state without that lookup: the append expects the
//! exact version the state was folded to, so if another process appended meanwhile
//! the append conflicts, and the command catches up and decides again. What is never
//! appended — a refusal, a command that changes nothing, a refused `If-Match`, a key
//! already destroyed — is checked against the stream as it stands before it is
//! answered, so no answer rests on a stale state.

use std::any::Any;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use caselog_eventlog::erasure::seal::{needs_sealing, seal};
use caselog_eventlog::{
    AppendError, AppendOutcome, AppendRequest, ErasureError, EventLog, ExpectedVersion, LogReader,
    NewEvent, ReadError, StreamKeys, StreamRef, make_readable,
};
use caselog_platform::telemetry;
use caselog_schemas::events::{current_schema_version, from_stored, to_stored};
use caselog_schemas::{Actor, EventMetadata, Position, StreamId, StreamVersion};

const MAX_ATTEMPTS: usize = 10;
/// Hot stream states kept (a state is a few hundred bytes to a few hundred KiB).
const HOT_STATES: u64 = 50_000;
const HOT_STATE_IDLE: std::time::Duration = std::time::Duration::from_secs(600);
/// Enough stripes that unrelated streams rarely share one.
const STREAM_LOCK_STRIPES: usize = 1024;

/// A state folded from its stream's events.
pub trait Aggregate: Default + Clone + Send + Sync + 'static {
    type Event: Serialize + DeserializeOwned + Send + Sync;
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
    type Event = caselog_schemas::events::ChatChannelEvent;
    fn apply(self, event: &Self::Event) -> Self {
        self.evolve(event)
    }
}

impl Aggregate for crate::domain::chat::ChatReader {
    type Event = caselog_schemas::events::ChatReaderEvent;
    fn apply(self, _event: &Self::Event) -> Self {
        self
    }
}

impl Aggregate for crate::domain::directory::DirectoryEntry {
    type Event = caselog_schemas::events::DirectoryEvent;
    fn apply(self, event: &Self::Event) -> Self {
        self.evolve(event)
    }
    fn erases(event: &Self::Event) -> bool {
        matches!(event, Self::Event::UserErased {})
    }
    fn was_erased(state: &Self) -> bool {
        matches!(state, Self::ErasedUser)
    }
}

/// How a command is to be appended: who asks, and the client's optional guards.
#[derive(Debug, Clone)]
pub struct CommandOptions {
    pub actor: Actor,
    pub idempotency_key: Option<String>,
    /// Who sent which request under `idempotency_key`: a later use of the key replays
    /// only for the same fingerprint.
    pub request_fingerprint: Option<String>,
    pub if_match: Option<StreamVersion>,
}

/// The prefix of the idempotency keys caselog uses itself (clients may not).
pub const SYSTEM_KEY_PREFIX: &str = "caselog:";

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

#[derive(Debug)]
pub enum Executed {
    /// New events were appended (or, for a repeated idempotency key, had been).
    Appended(AppendOutcome),
    /// The command was accepted but changes nothing: no event.
    Unchanged {
        stream_id: StreamId,
        stream_version: StreamVersion,
        position: Position,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError<R> {
    #[error("rejected by the domain")]
    Rejected(R),
    #[error("the stream is at version {actual}, not {expected}")]
    Conflict {
        expected: StreamVersion,
        actual: StreamVersion,
    },
    #[error("the idempotency key was used for another request")]
    KeyReusedElsewhere,
    #[error(transparent)]
    Append(AppendError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("stored event {event_type} does not decode: {reason}")]
    Undecodable { event_type: String, reason: String },
    /// The stream was erased; nothing personal may be written to it again.
    #[error("the stream was erased")]
    Erased,
}

impl<R> From<ErasureError> for ExecuteError<R> {
    fn from(error: ErasureError) -> Self {
        match error {
            ErasureError::Erased(_) => ExecuteError::Erased,
            ErasureError::Database(error) => ExecuteError::Read(ReadError::Database(error)),
        }
    }
}

#[derive(Clone)]
pub struct CommandExecutor {
    log: EventLog,
    reader: LogReader,
    keys: StreamKeys,
    stream_locks: Arc<Vec<tokio::sync::Mutex<()>>>,
    /// `Loaded<A>` of recently used streams (the stream type says which `A`).
    hot: moka::future::Cache<StreamRef, Arc<dyn Any + Send + Sync>>,
}

impl CommandExecutor {
    pub fn new(log: EventLog, reader: LogReader) -> Self {
        let stream_locks = (0..STREAM_LOCK_STRIPES)
            .map(|_| tokio::sync::Mutex::new(()))
            .collect();
        Self {
            keys: StreamKeys::new(reader.pool().clone()),
            log,
            reader,
            stream_locks: Arc::new(stream_locks),
            hot: moka::future::Cache::builder()
                .max_capacity(HOT_STATES)
                .time_to_idle(HOT_STATE_IDLE)
                .build(),
        }
    }

    fn stream_lock(&self, stream: &StreamRef) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(stream);
        &self.stream_locks[(hash as usize) % self.stream_locks.len()]
    }

    pub fn reader(&self) -> &LogReader {
        &self.reader
    }

    /// A stream's current state: the hot one brought up to date, or folded from the
    /// whole stream.
    pub async fn load<A: Aggregate, R>(
        &self,
        stream: &StreamRef,
    ) -> Result<Loaded<A>, ExecuteError<R>> {
        let hot = self.hot_state::<A>(stream).await;
        let known = hot.as_ref().map(|hot| hot.version);
        let loaded = self
            .catch_up(stream, hot.map(|hot| (*hot).clone()).unwrap_or_default())
            .await?;
        if known != Some(loaded.version) {
            self.keep(stream, loaded.clone()).await;
        }
        Ok(loaded)
    }

    async fn hot_state<A: Aggregate>(&self, stream: &StreamRef) -> Option<Arc<Loaded<A>>> {
        self.hot.get(stream).await?.downcast::<Loaded<A>>().ok()
    }

    /// The hot state, taken out of the cache (the caller holds the stream's turn and
    /// puts back what it ends with), and whether it is known to be current: a hot state
    /// is as of the last command this process ran, a cold one is read up to date.
    async fn take<A: Aggregate, R>(
        &self,
        stream: &StreamRef,
    ) -> Result<(Loaded<A>, bool), ExecuteError<R>> {
        let hot = match self.hot.remove(stream).await {
            Some(any) => any
                .downcast::<Loaded<A>>()
                .ok()
                .map(|hot| Arc::try_unwrap(hot).unwrap_or_else(|shared| (*shared).clone())),
            None => None,
        };
        match hot {
            Some(hot) => Ok((hot, false)),
            None => Ok((self.catch_up(stream, Loaded::default()).await?, true)),
        }
    }

    /// Folds the events appended after `loaded.version` into it.
    async fn catch_up<A: Aggregate, R>(
        &self,
        stream: &StreamRef,
        mut loaded: Loaded<A>,
    ) -> Result<Loaded<A>, ExecuteError<R>> {
        let mut envelopes = self.reader.read_stream(stream, loaded.version).await?;
        if envelopes.is_empty() {
            return Ok(loaded);
        }
        make_readable(self.reader.pool(), &mut envelopes).await?;
        for envelope in &envelopes {
            let event: A::Event =
                from_stored(&envelope.event_type, &envelope.payload).map_err(|error| {
                    ExecuteError::Undecodable {
                        event_type: envelope.event_type.clone(),
                        reason: error.to_string(),
                    }
                })?;
            loaded.state = loaded.state.apply(&event);
            loaded.version = envelope.stream_version;
            loaded.position = envelope.position;
        }
        Ok(loaded)
    }

    /// Keeps `loaded` hot, unless the stream was erased: nothing personal of an erased
    /// stream outlives its key in memory either.
    async fn keep<A: Aggregate>(&self, stream: &StreamRef, loaded: Loaded<A>) {
        if A::was_erased(&loaded.state) {
            self.hot.remove(stream).await;
        } else {
            self.hot.insert(stream.clone(), Arc::new(loaded)).await;
        }
    }

    /// Runs one command against `stream`: `decide` sees the current state and returns
    /// the events to append (none: nothing changes) or the rule it breaks.
    #[tracing::instrument(skip_all, fields(stream_id = %stream.stream_id, stream_type = %stream.stream_type.as_str()))]
    pub async fn execute<A, R>(
        &self,
        stream: StreamRef,
        options: &CommandOptions,
        decide: impl Fn(&A) -> Result<Vec<A::Event>, R>,
    ) -> Result<Executed, ExecuteError<R>>
    where
        A: Aggregate,
        R: Refusal,
    {
        if let Some(key) = &options.idempotency_key
            && let Some((first_stream, outcome)) = self
                .reader
                .idempotent_outcome(stream.tenant_id, key)
                .await?
        {
            return self
                .replay(stream, options, &decide, first_stream, outcome)
                .await;
        }

        let _turn = self.stream_lock(&stream).lock().await;
        let attempts = if options.if_match.is_some() {
            1
        } else {
            MAX_ATTEMPTS
        };
        let mut attempt = 0;
        let (mut loaded, mut current) = self.take::<A, R>(&stream).await?;
        loop {
            match self
                .attempt(&stream, options, &decide, loaded, current)
                .await?
            {
                Attempt::Done(outcome) => return outcome,
                Attempt::Stale(hot) => {
                    loaded = self.catch_up(&stream, hot).await?;
                    current = true;
                }
                Attempt::Conflict(hot, expected, actual) => {
                    attempt += 1;
                    if attempt >= attempts {
                        return Err(ExecuteError::Conflict { expected, actual });
                    }
                    tracing::debug!(attempt, %actual, "stream moved; deciding again");
                    // Another process appended: let it finish its turn.
                    let pause = rand::random_range(1..=5u64) * attempt as u64;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    loaded = self.catch_up(&stream, hot).await?;
                    current = true;
                }
            }
        }
    }

    /// Decides on `loaded` and appends. An outcome that appends nothing is final only
    /// on a `current` state; on a hot one it asks to catch up first.
    async fn attempt<A, R>(
        &self,
        stream: &StreamRef,
        options: &CommandOptions,
        decide: &impl Fn(&A) -> Result<Vec<A::Event>, R>,
        loaded: Loaded<A>,
        current: bool,
    ) -> Result<Attempt<A, R>, ExecuteError<R>>
    where
        A: Aggregate,
    {
        if let Some(expected) = options.if_match
            && expected != loaded.version
        {
            if !current {
                return Ok(Attempt::Stale(loaded));
            }
            let actual = loaded.version;
            self.keep(stream, loaded).await;
            return Ok(Attempt::Done(Err(ExecuteError::Conflict {
                expected,
                actual,
            })));
        }
        let events = match decide(&loaded.state) {
            Ok(events) if !events.is_empty() => events,
            _ if !current => return Ok(Attempt::Stale(loaded)),
            Ok(_) => {
                let unchanged = Executed::Unchanged {
                    stream_id: stream.stream_id,
                    stream_version: loaded.version,
                    position: loaded.position,
                };
                self.keep(stream, loaded).await;
                return Ok(Attempt::Done(Ok(unchanged)));
            }
            Err(rejection) => {
                self.keep(stream, loaded).await;
                return Ok(Attempt::Done(Err(ExecuteError::Rejected(rejection))));
            }
        };
        let sealed = match self.sealed(stream, &events).await {
            Ok(sealed) => sealed,
            Err(ExecuteError::Erased) if !current => return Ok(Attempt::Stale(loaded)),
            Err(error) => return Err(error),
        };
        let request = AppendRequest {
            stream: stream.clone(),
            expected_version: ExpectedVersion::Exact(loaded.version),
            events: sealed,
            metadata: metadata(options.actor.clone()),
            idempotency_key: options.idempotency_key.clone(),
            request_fingerprint: options.request_fingerprint.clone(),
            erases_stream: events.iter().any(A::erases),
        };
        match self.log.append(request).await {
            Ok(outcome) => {
                let appended = Loaded {
                    state: events.iter().fold(loaded.state, A::apply),
                    version: outcome.stream_version,
                    position: outcome.position,
                };
                self.keep(stream, appended).await;
                Ok(Attempt::Done(Ok(Executed::Appended(outcome))))
            }
            Err(AppendError::Conflict { expected, actual }) => {
                Ok(Attempt::Conflict(loaded, expected, actual))
            }
            Err(AppendError::IdempotencyKeyReused) => Err(ExecuteError::KeyReusedElsewhere),
            Err(other) => Err(ExecuteError::Append(other)),
        }
    }
}

impl CommandExecutor {
    /// The answer to a repeated idempotency key: the first outcome, for the same caller
    /// and request only, and only while the caller may still see the stream.
    async fn replay<A, R>(
        &self,
        stream: StreamRef,
        options: &CommandOptions,
        decide: &impl Fn(&A) -> Result<Vec<A::Event>, R>,
        first_stream: StreamRef,
        outcome: AppendOutcome,
    ) -> Result<Executed, ExecuteError<R>>
    where
        A: Aggregate,
        R: Refusal,
    {
        let same_request = match (&outcome.request_fingerprint, &options.request_fingerprint) {
            // The same caller sent the same request: where it landed is the answer,
            // even if it would be routed elsewhere now (a customer's message after the
            // conversation closed).
            (Some(first), Some(this)) => first == this,
            (Some(_), None) | (None, Some(_)) => false,
            (None, None) => first_stream == stream,
        };
        if !same_request {
            return Err(ExecuteError::KeyReusedElsewhere);
        }
        if first_stream == stream {
            let loaded = self.load::<A, R>(&stream).await?;
            if let Err(refusal) = decide(&loaded.state)
                && refusal.hides_the_stream()
            {
                return Err(ExecuteError::Rejected(refusal));
            }
        }
        Ok(Executed::Appended(outcome))
    }
}

/// How one decide-and-append ended.
enum Attempt<A, R> {
    Done(Result<Executed, ExecuteError<R>>),
    /// The hot state may be behind the stream: catch up and decide again.
    Stale(Loaded<A>),
    /// Another process appended first.
    Conflict(Loaded<A>, StreamVersion, StreamVersion),
}

impl CommandExecutor {
    /// The events as they are stored: personal fields sealed under the stream's key.
    async fn sealed<E: Serialize, R>(
        &self,
        stream: &StreamRef,
        events: &[E],
    ) -> Result<Vec<NewEvent>, ExecuteError<R>> {
        let mut stored: Vec<NewEvent> = events
            .iter()
            .map(|event| {
                let (event_type, payload) = to_stored(event);
                NewEvent {
                    schema_version: current_schema_version(
                        stream.stream_type.as_str(),
                        &event_type,
                    ),
                    event_type,
                    payload,
                }
            })
            .collect();
        if stored
            .iter()
            .any(|event| needs_sealing(stream, &event.event_type))
        {
            let key = self.keys.key_for_sealing(stream).await?;
            for event in &mut stored {
                seal(&key, stream, &event.event_type, &mut event.payload);
            }
        }
        Ok(stored)
    }
}

fn metadata(actor: Actor) -> EventMetadata {
    EventMetadata {
        trace: telemetry::current_trace_context(),
        ..EventMetadata::for_new_command(actor)
    }
}
