//! What every reader does to a stored event before decoding it: open its personal
//! fields (placeholders once erased) and bring it to the current schema version.
//! The relay and the raw feed skip this: they hand events on exactly as stored.

use std::collections::HashSet;

use sqlx::PgExecutor;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::upcast::{current_schema_version, upcast};

use super::keys::keys_of;
use super::seal::open;
use crate::error::ReadError;
use crate::model::StreamRef;

/// Opens and upcasts `events` in place, reading the keys they need in one query.
pub async fn make_readable<'e>(
    executor: impl PgExecutor<'e>,
    events: &mut [EventEnvelope],
) -> Result<(), ReadError> {
    let streams: HashSet<StreamRef> = events
        .iter()
        .filter(|event| {
            event
                .payload
                .get(caselog_schemas::events::personal::SEALED_FIELD)
                .is_some()
        })
        .map(stream_of)
        .collect();
    let streams: Vec<&StreamRef> = streams.iter().collect();
    let keys = keys_of(executor, &streams).await?;
    make_readable_with(&keys, events)
}

/// [`make_readable`] with the keys already at hand.
pub fn make_readable_with(
    keys: &std::collections::HashMap<StreamRef, super::DataKey>,
    events: &mut [EventEnvelope],
) -> Result<(), ReadError> {
    for event in events {
        let stream = stream_of(event);
        let undecodable = |reason: String| ReadError::Undecodable {
            position: event.position.0,
            reason,
        };
        open(
            keys.get(&stream),
            &stream,
            &event.event_type,
            &mut event.payload,
        )
        .map_err(|error| undecodable(error.to_string()))?;
        let current = current_schema_version(stream.stream_type.as_str(), &event.event_type);
        if event.schema_version != current {
            let payload = std::mem::take(&mut event.payload);
            event.payload = upcast(
                stream.stream_type.as_str(),
                &event.event_type,
                event.schema_version,
                payload,
            )
            .map_err(|error| undecodable(error.to_string()))?;
            event.schema_version = current;
        }
    }
    Ok(())
}

fn stream_of(event: &EventEnvelope) -> StreamRef {
    StreamRef {
        tenant_id: event.tenant_id,
        stream_type: event.stream_type.clone(),
        stream_id: event.stream_id,
    }
}
