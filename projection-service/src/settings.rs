use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{address_from_env, env_or};

#[derive(Debug, Clone)]
pub struct Settings {
    pub common: CommonSettings,
    /// `CASELOG_PROJECTION_ADDR`
    pub address: SocketAddr,
    /// `CASELOG_PROJECTION_IDLE_CHECK_MS`: after this long without a message, a runner
    /// reads the log itself in case NATS missed something (default 2000 ms).
    pub idle_check: Duration,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            common: CommonSettings::from_env()?,
            address: address_from_env("CASELOG_PROJECTION_ADDR", "127.0.0.1:8083")?,
            idle_check: Duration::from_millis(
                env_or("CASELOG_PROJECTION_IDLE_CHECK_MS", "2000").parse()?,
            ),
        })
    }
}
