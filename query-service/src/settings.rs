use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{address_from_env, env_or};

#[derive(Debug, Clone)]
pub struct Settings {
    pub common: CommonSettings,
    /// `CASELOG_QUERY_ADDR`
    pub address: SocketAddr,
    /// `CASELOG_MIN_POSITION_WAIT_MS`: the longest `X-Min-Position` waits (default 5000).
    pub min_position_wait: Duration,
    /// `CASELOG_DASHBOARD_POLL_MS`: how often the dashboard stream checks for changes
    /// (default 250).
    pub stream_poll: Duration,
    /// `CASELOG_ERASURE_POLL_MS`: how often cached content of newly erased cases is
    /// dropped (default 1000).
    pub erasure_poll: Duration,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            common: CommonSettings::from_env()?,
            address: address_from_env("CASELOG_QUERY_ADDR", "127.0.0.1:8082")?,
            min_position_wait: Duration::from_millis(
                env_or("CASELOG_MIN_POSITION_WAIT_MS", "5000").parse()?,
            ),
            stream_poll: Duration::from_millis(env_or("CASELOG_DASHBOARD_POLL_MS", "250").parse()?),
            erasure_poll: Duration::from_millis(env_or("CASELOG_ERASURE_POLL_MS", "1000").parse()?),
        })
    }
}
