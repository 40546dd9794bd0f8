//! The query service: `HTTP -> authenticate -> authorize -> cache -> read model`
//! (DESIGN.md §1). The read routes arrive with the inbox; for now it serves its
//! operational routes against the same Postgres and NATS.

mod settings;
mod startup;

pub use settings::Settings;
pub use startup::Application;
