//! The query service: `HTTP -> authenticate -> authorize -> moka cache -> read model`
//! (README "Projections"). Reads what the projection service builds; a caller who just
//! issued a command passes its position as `X-Min-Position` to read its own write.

pub mod audit;
pub mod export;
mod http;
pub mod read_models;
mod settings;
mod startup;

pub use settings::Settings;
pub use startup::Application;
