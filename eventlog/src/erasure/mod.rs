//! Erasure without rewriting history (README "Erasure"): crypto-shredding.
//!
//! The personal fields of an event (`caselog_schemas::events::personal`) are stored
//! sealed with AES-256-GCM under a key of their stream — one per conversation, one per
//! contact — kept in `eventlog.stream_keys`, outside the events. Erasing a stream
//! destroys its key in the same transaction as the event that erases it (a deleted
//! conversation). From then on:
//!
//! - the log still holds every event exactly as appended, so the hash chain verifies;
//! - the sealed bytes (in the log, in JetStream, in analytics' copies) cannot be opened;
//! - readers get each erased field as a visible placeholder (`[erased]`).
//!
//! - [`seal`]: the pure sealing and opening of one payload;
//! - [`keys`]: the key store;
//! - [`kek`]: the key-encryption key every stored data key is wrapped by;
//! - [`readable`]: what every reader does to a stored event before decoding it — open
//!   its personal fields (or put placeholders in) and upcast it to the current schema.

pub mod kek;
pub mod keys;
pub mod readable;
pub mod seal;

pub use kek::Keyring;
pub use keys::{ErasureError, StreamKeys};
pub use readable::{make_readable, make_readable_with};
pub use seal::DataKey;
