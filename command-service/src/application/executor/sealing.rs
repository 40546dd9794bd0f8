//! The events as they are stored: personal fields sealed under the stream's key, and
//! the metadata every command's events carry.

use serde::Serialize;

use caselog_eventlog::erasure::seal::{needs_sealing, seal};
use caselog_eventlog::{NewEvent, StreamRef};
use caselog_platform::telemetry;
use caselog_schemas::events::{current_schema_version, to_stored};
use caselog_schemas::{Actor, EventMetadata};

use super::{CommandExecutor, ExecuteError};

impl CommandExecutor {
    /// The events as they are stored: personal fields sealed under the stream's key.
    pub(super) async fn sealed<E: Serialize, R>(
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
            let key = match self.hot.keys.get(stream).await {
                Some(key) => key,
                None => {
                    let key = self.keys.key_for_sealing(stream).await?;
                    self.hot.keys.insert(stream.clone(), key.clone()).await;
                    key
                }
            };
            for event in &mut stored {
                seal(&key, stream, &event.event_type, &mut event.payload);
            }
        }
        Ok(stored)
    }
}

pub(super) fn metadata(actor: Actor) -> EventMetadata {
    EventMetadata {
        trace: telemetry::current_trace_context(),
        ..EventMetadata::for_new_command(actor)
    }
}
