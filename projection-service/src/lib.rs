//! The projection service: durable JetStream consumers feed the projectors that build
//! the read models (README "Projections"). Each projection applies an event and advances
//! its checkpoint in one Postgres transaction; `rebuild` replays the log into a fresh
//! schema and swaps it in.

mod http;
pub mod projections;
pub mod runner;
mod settings;
mod startup;

pub use settings::Settings;
pub use startup::Application;
