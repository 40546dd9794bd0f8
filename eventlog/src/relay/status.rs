//! What the relay reports about itself: leader or standby, how far it has published,
//! and its lag behind the log head (also exported as Prometheus gauges).

use std::sync::Arc;
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
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RelayStatusReport {
    /// `active` while this instance publishes, `standby` while another one does.
    pub role: &'static str,
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
        self.inner.published.store(position.0, Ordering::Relaxed);
        self.inner.head.fetch_max(position.0, Ordering::Relaxed);
        self.export();
    }

    pub(crate) fn observe_head(&self, head: Position) {
        self.inner.head.fetch_max(head.0, Ordering::Relaxed);
        self.export();
    }

    pub fn report(&self) -> RelayStatusReport {
        let published = self.inner.published.load(Ordering::Relaxed);
        let head = self.inner.head.load(Ordering::Relaxed);
        RelayStatusReport {
            role: if self.inner.leader.load(Ordering::Relaxed) {
                "active"
            } else {
                "standby"
            },
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
