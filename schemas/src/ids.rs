//! Newtypes for the identifiers and counters of the event log, so a stream version can
//! never be passed where a global position is expected.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Creates a new time-ordered (UUIDv7) id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

uuid_id!(
    /// The tenant (one support organisation) that owns a stream and everything in it.
    TenantId
);
uuid_id!(
    /// The id of one stream inside its stream type (a conversation id, a channel id…).
    StreamId
);
uuid_id!(
    /// The id of one stored event; published as `Nats-Msg-Id` so re-publishing is idempotent.
    EventId
);
uuid_id!(
    /// A user of a tenant: agent, admin, auditor, integration…
    UserId
);

/// Where an event sits in the whole log. Positions are contiguous (1, 2, 3…) and
/// assigned in commit order, so a reader that has seen `P` never later finds `P - 1`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Position(pub i64);

impl Position {
    /// The position before the first event: "read everything".
    pub const BEFORE_FIRST: Position = Position(0);

    pub fn next(self) -> Position {
        Position(self.0 + 1)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The version of one stream: its first event is version 1.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct StreamVersion(pub i64);

impl StreamVersion {
    /// The version of a stream that has no event yet.
    pub const NONE: StreamVersion = StreamVersion(0);

    pub fn next(self) -> StreamVersion {
        StreamVersion(self.0 + 1)
    }
}

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The kind of aggregate a stream belongs to (`conversation`, `directory`, `chat_channel`…).
///
/// It is one token of the NATS subject, so it is restricted to lowercase ASCII letters,
/// digits and `_`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct StreamType(String);

impl StreamType {
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidStreamType> {
        let name = name.into();
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(Self(name))
        } else {
            Err(InvalidStreamType(name))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StreamType {
    type Error = InvalidStreamType;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<StreamType> for String {
    fn from(value: StreamType) -> Self {
        value.0
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("stream type {0:?} must be 1-64 characters of a-z, 0-9 and _")]
pub struct InvalidStreamType(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_types_are_single_subject_tokens() {
        assert!(StreamType::new("conversation").is_ok());
        assert!(StreamType::new("chat_channel").is_ok());
        assert!(StreamType::new("").is_err());
        assert!(StreamType::new("a.b").is_err());
        assert!(StreamType::new("Conversation").is_err());
        assert!(StreamType::new("a>").is_err());
    }
}
