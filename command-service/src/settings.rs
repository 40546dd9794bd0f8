use std::net::SocketAddr;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{address_from_env, env_or};

#[derive(Debug, Clone)]
pub struct Settings {
    pub common: CommonSettings,
    /// `CASELOG_COMMAND_ADDR`
    pub address: SocketAddr,
    /// `CASELOG_RELAY_ENABLED`: run the relay task (default true). Several instances may
    /// run it; one publishes at a time.
    pub relay_enabled: bool,
    /// `CASELOG_AUTO_CLOSE_POLL_MS`: how often the auto-close worker looks for work when
    /// idle (default 1000 ms).
    pub auto_close_poll: std::time::Duration,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            common: CommonSettings::from_env()?,
            address: address_from_env("CASELOG_COMMAND_ADDR", "127.0.0.1:8081")?,
            relay_enabled: env_or("CASELOG_RELAY_ENABLED", "true") != "false",
            auto_close_poll: std::time::Duration::from_millis(
                env_or("CASELOG_AUTO_CLOSE_POLL_MS", "1000").parse()?,
            ),
        })
    }
}
