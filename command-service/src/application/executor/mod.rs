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

mod aggregate;
mod hot;
mod outcome;
mod sealing;

use std::sync::Arc;

use caselog_eventlog::{
    AppendError, AppendOutcome, AppendRequest, EventLog, ExpectedVersion, LogReader, StreamKeys,
    StreamRef, make_readable,
};
use caselog_schemas::StreamVersion;
use caselog_schemas::events::from_stored;

pub use aggregate::{Aggregate, Loaded, Refusal};
use hot::HotStates;
pub use outcome::{CommandOptions, ExecuteError, Executed, SYSTEM_KEY_PREFIX};
use sealing::metadata;

const MAX_ATTEMPTS: usize = 10;
/// Enough stripes that unrelated streams rarely share one.
const STREAM_LOCK_STRIPES: usize = 1024;

#[derive(Clone)]
pub struct CommandExecutor {
    log: EventLog,
    reader: LogReader,
    keys: StreamKeys,
    stream_locks: Arc<Vec<tokio::sync::Mutex<()>>>,
    hot: HotStates,
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
            hot: HotStates::new(),
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
        A::states(&self.hot).get(stream).await
    }

    /// The hot state, taken out of the cache (the caller holds the stream's turn and
    /// puts back what it ends with), and whether it is known to be current: a hot state
    /// is as of the last command this process ran, a cold one is read up to date.
    async fn take<A: Aggregate, R>(
        &self,
        stream: &StreamRef,
    ) -> Result<(Loaded<A>, bool), ExecuteError<R>> {
        let hot = A::states(&self.hot)
            .remove(stream)
            .await
            .map(|hot| Arc::try_unwrap(hot).unwrap_or_else(|shared| (*shared).clone()));
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
            A::states(&self.hot).remove(stream).await;
        } else {
            A::states(&self.hot)
                .insert(stream.clone(), Arc::new(loaded))
                .await;
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
        let erases = request.erases_stream;
        match self.log.append(request).await {
            Ok(outcome) => {
                if erases {
                    self.hot.keys.invalidate(stream).await;
                }
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
