//! Runs the projectors: the live runner follows a durable JetStream consumer, the
//! rebuild replays the Postgres log into a fresh schema and swaps it in. Both write
//! through [`batch`], which applies events and advances the checkpoint in one
//! transaction, fills gaps from the log and sets poison events aside. Among replicas, one
//! instance applies each projection at a time ([`ownership`]).

pub mod batch;
pub mod dead_letters;
mod fault_injection;
mod live;
pub mod ownership;
pub mod rebuild;
pub mod status;

pub use live::{LiveRunner, RunnerConfig};
