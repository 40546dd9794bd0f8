//! Runs the projectors: the live runner follows one durable JetStream consumer for all
//! of them and writes a batch to every projection in one transaction ([`together`]);
//! the rebuild replays the Postgres log into a fresh schema and swaps it in. Both fall
//! back on [`batch`], which applies events and advances one projection's checkpoint in
//! one transaction, fills gaps from the log and sets poison events aside. Among
//! replicas, one instance applies the projections at a time ([`ownership`]).

pub mod batch;
pub mod dead_letters;
mod fault_injection;
mod live;
pub mod ownership;
pub mod rebuild;
pub mod status;
mod together;

pub use live::{LiveRunner, RunnerConfig};
