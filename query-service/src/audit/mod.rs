//! What auditors rely on, read from the Postgres log itself rather than from a read
//! model: a case exactly as it stood at any moment ([`replay`]), the hash chains
//! ([`verification`]),, and the raw event feed.

pub mod as_of;
pub mod replay;
pub mod verification;

pub use as_of::AsOf;
