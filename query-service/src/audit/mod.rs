//! What auditors rely on, read from the Postgres log itself rather than from a read
//! model: a case exactly as it stood at any moment ([`replay`]), the hash chains
//! ([`verification`] for one stream, [`trust`] for a tenant or the whole log), and the
//! raw event feed.

pub mod access;
pub mod as_of;
pub mod narration;
pub mod people;
pub mod replay;
pub mod summary;
pub mod trust;
pub mod verification;

pub use as_of::AsOf;
