//! Old event shapes stay readable forever (README "The event log"): a stored event keeps the
//! schema version it was written with, and readers bring it to the current shape here,
//! one version step at a time, before decoding it.
//!
//! History of the catalogue:
//! - `ConversationClosed` v1 `{automatic: bool}` -> v2 `{reason: "manual" | "auto_close"}`:
//!   a boolean could not say why else a case closes, and analytics wanted the reason
//!   as a value to group by.

use serde_json::{Value, json};

/// The schema version new events of this type are written with.
pub fn current_schema_version(stream_type: &str, event_type: &str) -> i32 {
    match (stream_type, event_type) {
        ("conversation", "ConversationClosed") => 2,
        _ => 1,
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UpcastError {
    #[error("{event_type} v{version} is newer than this build knows (v{current})")]
    FromTheFuture {
        event_type: String,
        version: i32,
        current: i32,
    },
    #[error("{event_type} v{version} does not have the shape of its version: {reason}")]
    Malformed {
        event_type: String,
        version: i32,
        reason: String,
    },
}

/// Brings a stored payload of `version` to the current version of its event type.
pub fn upcast(
    stream_type: &str,
    event_type: &str,
    version: i32,
    payload: Value,
) -> Result<Value, UpcastError> {
    let current = current_schema_version(stream_type, event_type);
    if version > current {
        return Err(UpcastError::FromTheFuture {
            event_type: event_type.to_owned(),
            version,
            current,
        });
    }
    let mut payload = payload;
    for from in version..current {
        payload = step(stream_type, event_type, from, payload)?;
    }
    Ok(payload)
}

/// One step: `from` -> `from + 1`.
fn step(
    stream_type: &str,
    event_type: &str,
    from: i32,
    payload: Value,
) -> Result<Value, UpcastError> {
    let malformed = |reason: &str| UpcastError::Malformed {
        event_type: event_type.to_owned(),
        version: from,
        reason: reason.to_owned(),
    };
    match (stream_type, event_type, from) {
        ("conversation", "ConversationClosed", 1) => {
            let automatic = payload
                .get("automatic")
                .and_then(Value::as_bool)
                .ok_or_else(|| malformed("`automatic` must be a boolean"))?;
            let reason = if automatic { "auto_close" } else { "manual" };
            Ok(json!({ "reason": reason }))
        }
        _ => Err(malformed("no upcaster for this version")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{CloseReason, ConversationEvent, from_stored};

    #[test]
    fn a_v1_close_reads_as_a_v2_close_with_its_reason() {
        for (automatic, reason) in [(true, CloseReason::AutoClose), (false, CloseReason::Manual)] {
            let payload = upcast(
                "conversation",
                "ConversationClosed",
                1,
                json!({ "automatic": automatic }),
            )
            .unwrap();
            let event: ConversationEvent = from_stored("ConversationClosed", &payload).unwrap();
            assert_eq!(event, ConversationEvent::ConversationClosed { reason });
        }
    }

    #[test]
    fn current_events_pass_through_unchanged() {
        let payload = json!({ "reason": "manual" });
        assert_eq!(
            upcast("conversation", "ConversationClosed", 2, payload.clone()).unwrap(),
            payload
        );
        let topic = json!({ "topic": "refund" });
        assert_eq!(
            upcast("conversation", "TopicSet", 1, topic.clone()).unwrap(),
            topic
        );
    }

    #[test]
    fn a_version_from_the_future_or_a_broken_v1_is_refused() {
        assert!(matches!(
            upcast("conversation", "ConversationClosed", 3, json!({})),
            Err(UpcastError::FromTheFuture { .. })
        ));
        assert!(matches!(
            upcast(
                "conversation",
                "ConversationClosed",
                1,
                json!({"automatic": "yes"})
            ),
            Err(UpcastError::Malformed { .. })
        ));
    }
}
