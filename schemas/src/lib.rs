//! The language every caselog service and every subscriber shares: ids and positions,
//! the event envelope as it is stored in the log and published on NATS, the subject
//! scheme and the MessagePack codec.
//!
//! Nothing here does IO. Domain event payloads live with their aggregates; this crate
//! holds what is common to all of them.

mod codec;
pub mod contract;
mod envelope;
pub mod events;
mod ids;
mod role;
mod subject;

pub use codec::{CodecError, decode_msgpack, encode_msgpack};
pub use envelope::{Actor, EventEnvelope, EventMetadata, TraceContext};
pub use ids::{EventId, Position, StreamId, StreamType, StreamVersion, TenantId, UserId};
pub use role::{Role, UnknownRole};
pub use subject::{SubjectRoot, headers};
