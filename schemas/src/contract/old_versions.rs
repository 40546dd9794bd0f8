//! Schema versions no longer written but still stored, so still read and replayed.

use serde_json::{Value, json};

use super::{Files, pretty, with_event_header};
use std::collections::BTreeMap;

/// A schema version that is no longer written but still stored, so still read (and
/// published again by a replay): its schema stays in the contract.
pub(super) struct OldVersion {
    pub stream_type: &'static str,
    pub event_type: &'static str,
    pub version: i32,
    pub payload: fn() -> Value,
}

pub(super) const OLD_VERSIONS: &[OldVersion] = &[OldVersion {
    stream_type: "conversation",
    event_type: "ConversationClosed",
    version: 1,
    payload: || {
        json!({
            "type": "object",
            "properties": {"automatic": {"type": "boolean", "description": "True when the auto-close timer closed it."}},
            "required": ["automatic"],
        })
    },
}];

pub(super) fn insert_old_versions(files: &mut Files) {
    for old in OLD_VERSIONS {
        let path = format!(
            "events/{}/{}.v{}.schema.json",
            old.stream_type, old.event_type, old.version
        );
        files.insert(
            path.clone(),
            pretty(&with_event_header(
                (old.payload)(),
                &path,
                old.stream_type,
                old.event_type,
                old.version,
                &BTreeMap::new(),
            )),
        );
    }
}
