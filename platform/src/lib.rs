//! Plumbing the three services share, written once: settings from the environment,
//! telemetry (logs, traces, trace propagation), graceful shutdown, the health, readiness
//! and metrics routes, connections to Postgres and NATS, and access tokens.

pub mod connect;
pub mod health;
pub mod http;
pub mod leadership;
pub mod metrics;
pub mod migrations;
pub mod progress;
pub mod retry;
pub mod service;
pub mod settings;
pub mod shutdown;
pub mod telemetry;
pub mod token;
pub mod transient;

pub use settings::CommonSettings;
