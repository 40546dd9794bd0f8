//! Fault injection for the fault tests: with `CASELOG_TEST_PANIC_ON_TEXT` set, a
//! projector panics on any event whose `text` contains that marker, as a projector
//! with a bug would. Never set it outside a test.

use std::sync::OnceLock;

use caselog_schemas::EventEnvelope;

fn marker() -> Option<&'static str> {
    static MARKER: OnceLock<Option<String>> = OnceLock::new();
    MARKER
        .get_or_init(|| {
            std::env::var("CASELOG_TEST_PANIC_ON_TEXT")
                .ok()
                .filter(|marker| !marker.is_empty())
        })
        .as_deref()
}

/// Panics when fault injection is on and `event` carries the marker.
pub fn panic_if_marked(event: &EventEnvelope) {
    let Some(marker) = marker() else { return };
    let text = event
        .payload
        .get("text")
        .or_else(|| event.payload.get("content")?.get("text"))
        .and_then(|text| text.as_str());
    if text.is_some_and(|text| text.contains(marker)) {
        panic!(
            "injected fault: a projector bug on the event at {}",
            event.position
        );
    }
}
