//! The NATS subject scheme: `<root>.<tenant_id>.<stream_type>.<event_type>`, with the
//! root `caselog.v1` in production. The root is configurable only so that tests and
//! parallel environments on one server do not share subjects.

use crate::envelope::EventEnvelope;
use crate::ids::TenantId;

/// Header names of a published event (README "Subscribing to caselog events").
pub mod headers {
    pub const MSG_ID: &str = "Nats-Msg-Id";
    pub const EVENT_TYPE: &str = "Caselog-Event-Type";
    pub const SCHEMA_VERSION: &str = "Caselog-Schema-Version";
    pub const POSITION: &str = "Caselog-Position";
    pub const STREAM_VERSION: &str = "Caselog-Stream-Version";
    pub const CONTENT_TYPE: &str = "Content-Type";
    pub const MSGPACK: &str = "application/msgpack";
    pub const TRACEPARENT: &str = "traceparent";
    pub const TRACESTATE: &str = "tracestate";
    /// `true` on a message whose payload was too large for the NATS server: the
    /// envelope's `payload` is then `{"omitted_bytes": n}`, and the event itself is read
    /// from the log (the raw feed, `GET /v1/events`, or the projector's gap fill).
    pub const PAYLOAD_OMITTED: &str = "Caselog-Payload-Omitted";
}

/// The first tokens of every subject caselog publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRoot(String);

impl SubjectRoot {
    pub const PRODUCTION: &'static str = "caselog.v1";

    pub fn new(root: impl Into<String>) -> Self {
        let root = root.into();
        debug_assert!(!root.is_empty() && !root.ends_with('.'));
        Self(root)
    }

    /// The subject one event is published on.
    pub fn subject_for(&self, event: &EventEnvelope) -> String {
        self.subject_of(
            event.tenant_id,
            event.stream_type.as_str(),
            &event.event_type,
        )
    }

    /// The subject of a tenant's events of one stream type and event type.
    pub fn subject_of(&self, tenant_id: TenantId, stream_type: &str, event_type: &str) -> String {
        format!("{}.{tenant_id}.{stream_type}.{event_type}", self.0)
    }

    /// The wildcard that captures one tenant's events (a tenant's subscription).
    pub fn tenant_wildcard(&self, tenant_id: TenantId) -> String {
        format!("{}.{tenant_id}.>", self.0)
    }

    /// The wildcard that captures every caselog subject, used as the stream's subject.
    pub fn wildcard(&self) -> String {
        format!("{}.>", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for SubjectRoot {
    fn default() -> Self {
        Self::new(Self::PRODUCTION)
    }
}
