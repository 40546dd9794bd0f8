//! What the relay reports about itself: leader or standby, whether it can publish, how
//! far it has published, and its lag behind the log head (also exported as Prometheus
//! gauges). The head is followed on its own, so the lag keeps growing while NATS is
//! unreachable instead of freezing at its last value.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use serde::Serialize;

use caselog_schemas::Position;

/// Shared between the relay task and whoever reports on it.
#[derive(Clone, Default)]
pub struct RelayStatus {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    leader: AtomicBool,
    published: AtomicI64,
    head: AtomicI64,
    /// Why the last attempt to publish failed, until one succeeds.
    error: Mutex<Option<String>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RelayStatusReport {
    /// `active` while this instance holds the relay's leadership, `standby` otherwise.
    pub role: &'static str,
    /// `publishing`; `retrying` while publishing fails (NATS unreachable, the stream
    /// missing or refusing; see `error`), whichever instance this is; `standby`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub published_position: i64,
    pub head_position: i64,
    /// Events committed to the log and not yet acknowledged by JetStream.
    pub lag: i64,
}

impl RelayStatus {
    pub(crate) fn set_leader(&self, leader: bool) {
        self.inner.leader.store(leader, Ordering::Relaxed);
        metrics::gauge!("caselog_relay_active").set(if leader { 1.0 } else { 0.0 });
        self.export();
    }

    pub(crate) fn set_published(&self, position: Position) {
        *self.inner.error.lock().expect("relay status lock") = None;
        self.inner.published.store(position.0, Ordering::Relaxed);
        self.inner.head.fetch_max(position.0, Ordering::Relaxed);
        self.export();
    }

    /// Publishing failed; cleared by the next successful publish or resume.
    pub(crate) fn set_error(&self, error: String) {
        *self.inner.error.lock().expect("relay status lock") = Some(error);
        metrics::counter!("caselog_relay_failures_total").increment(1);
    }

    pub(crate) fn observe_head(&self, head: Position) {
        self.inner.head.fetch_max(head.0, Ordering::Relaxed);
        self.export();
    }

    pub fn report(&self) -> RelayStatusReport {
        let published = self.inner.published.load(Ordering::Relaxed);
        let head = self.inner.head.load(Ordering::Relaxed);
        let leader = self.inner.leader.load(Ordering::Relaxed);
        let error = self.inner.error.lock().expect("relay status lock").clone();
        RelayStatusReport {
            role: if leader { "active" } else { "standby" },
            state: match (&error, leader) {
                (Some(_), _) => "retrying",
                (None, true) => "publishing",
                (None, false) => "standby",
            },
            error,
            published_position: published,
            head_position: head,
            lag: (head - published).max(0),
        }
    }

    fn export(&self) {
        let report = self.report();
        metrics::gauge!("caselog_relay_published_position").set(report.published_position as f64);
        metrics::gauge!("caselog_relay_lag_events").set(report.lag as f64);
    }
}
