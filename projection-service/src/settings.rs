use std::net::SocketAddr;

use caselog_platform::CommonSettings;
use caselog_platform::settings::address_from_env;

#[derive(Debug, Clone)]
pub struct Settings {
    pub common: CommonSettings,
    /// `CASELOG_PROJECTION_ADDR`
    pub address: SocketAddr,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            common: CommonSettings::from_env()?,
            address: address_from_env("CASELOG_PROJECTION_ADDR", "127.0.0.1:8083")?,
        })
    }
}
