//! The application layer, between HTTP and the pure domain: it looks up what a command
//! needs (the stream's history, directory entries), runs `decide`, appends the events
//! with the expected stream version, and re-decides after a version race.

pub mod auto_close;
mod card_sharing;
mod command_inputs;
mod contact_erasure;
mod directory_lookup;
mod executor;
mod inbound_routing;

pub use card_sharing::require_shareable;
pub use command_inputs::{InputError, presets_of};
pub use contact_erasure::{ErasureError, erase_contact};
pub use directory_lookup::DirectoryLookup;
pub use executor::{
    Aggregate, CommandExecutor, CommandOptions, ExecuteError, Executed, Loaded, Refusal,
    SYSTEM_KEY_PREFIX,
};
pub use inbound_routing::{InboundRoute, conversation_for_inbound};

use caselog_eventlog::StreamRef;
use caselog_schemas::{StreamId, StreamType, TenantId};
use uuid::Uuid;

pub fn conversation_stream(tenant_id: TenantId, conversation_id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("conversation").expect("a valid stream type"),
        stream_id: StreamId(conversation_id),
    }
}

pub fn chat_channel_stream(tenant_id: TenantId, channel_id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("chat_channel").expect("a valid stream type"),
        stream_id: StreamId(channel_id),
    }
}

/// A user's read marks in the chat (the stream id is the user id).
pub fn chat_reader_stream(tenant_id: TenantId, user_id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("chat_reader").expect("a valid stream type"),
        stream_id: StreamId(user_id),
    }
}

pub fn directory_stream(tenant_id: TenantId, entry_id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id,
        stream_type: StreamType::new("directory").expect("a valid stream type"),
        stream_id: StreamId(entry_id),
    }
}
