//! The projection service: durable JetStream consumers feed projectors that build the
//! read models (DESIGN.md §1). The projectors arrive with the inbox; for now it serves
//! its operational routes and `GET /v1/projections` with the log head.

mod http;
mod settings;
mod startup;

pub use settings::Settings;
pub use startup::Application;
