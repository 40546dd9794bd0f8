//! What an API service lets one caller, one tenant and itself take.

use std::time::Duration;

use super::millis;

/// What one caller, one tenant and the whole service may ask of an API service
/// (command and query services). Defaults are sized for a large support team: a
/// 500-agent tenant whose agents each keep a browser tab open.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitSettings {
    /// Each request is answered within this (ms) or dropped with 503; streams of events
    /// are not bound by it.
    #[arg(long = "request-timeout-ms", env = "CASELOG_REQUEST_TIMEOUT_MS",
        value_name = "CASELOG_REQUEST_TIMEOUT_MS", value_parser = millis, default_value = "10000")]
    pub request_timeout: Duration,
    /// Requests handled at once by this process; beyond it, 503 with `Retry-After`.
    #[arg(
        long,
        env = "CASELOG_MAX_CONCURRENT_REQUESTS",
        value_name = "CASELOG_MAX_CONCURRENT_REQUESTS",
        default_value = "512"
    )]
    pub max_concurrent_requests: usize,
    /// Sustained requests a second one user (one token subject) may send.
    #[arg(
        long,
        env = "CASELOG_RATE_PER_USER",
        value_name = "CASELOG_RATE_PER_USER",
        default_value = "50"
    )]
    pub rate_per_user: std::num::NonZeroU32,
    /// Requests one user may send at once before the sustained rate applies.
    #[arg(
        long,
        env = "CASELOG_BURST_PER_USER",
        value_name = "CASELOG_BURST_PER_USER",
        default_value = "200"
    )]
    pub burst_per_user: std::num::NonZeroU32,
    /// Sustained requests a second of one tenant, all its users together.
    #[arg(
        long,
        env = "CASELOG_RATE_PER_TENANT",
        value_name = "CASELOG_RATE_PER_TENANT",
        default_value = "500"
    )]
    pub rate_per_tenant: std::num::NonZeroU32,
    #[arg(
        long,
        env = "CASELOG_BURST_PER_TENANT",
        value_name = "CASELOG_BURST_PER_TENANT",
        default_value = "2000"
    )]
    pub burst_per_tenant: std::num::NonZeroU32,
    /// Open event streams (dashboard, inbox, chat) per user: a front end holds three,
    /// so two tabs fit.
    #[arg(
        long,
        env = "CASELOG_MAX_STREAMS_PER_USER",
        value_name = "CASELOG_MAX_STREAMS_PER_USER",
        default_value = "6"
    )]
    pub max_streams_per_user: usize,
}
