//! The command service: `HTTP -> authenticate -> authorize -> load stream -> decide ->
//! append` (README "Layout"), plus the relay task that publishes the log to JetStream.
//!
//! The relay runs here because this service owns the write path: its writer wakes the
//! relay in-process the moment a batch commits, and replicas of this service elect one
//! active relay among themselves through an advisory lock, so no extra deployment is
//! needed for it.
//!
//! It also answers the NATS logins of the subscriptions integrators own
//! ([`subscriptions`]): it holds their users, as it holds the stream's provisioning.

pub mod application;
pub mod domain;
mod http;
pub mod migrations;
mod settings;
mod startup;
pub mod subscriptions;

pub use settings::{CalloutSettings, Settings};
pub use startup::Application;
