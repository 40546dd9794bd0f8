//! The command service: `HTTP -> authenticate -> authorize -> load stream -> decide ->
//! append` (README "Layout"), plus the relay task that publishes the log to JetStream.
//!
//! The relay runs here because this service owns the write path: its writer wakes the
//! relay in-process the moment a batch commits, and replicas of this service elect one
//! active relay among themselves through an advisory lock, so no extra deployment is
//! needed for it.

pub mod application;
pub mod domain;
mod http;
mod settings;
mod startup;

pub use settings::Settings;
pub use startup::Application;
