use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{listen_address, millis};

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub common: CommonSettings,
    /// The projection service's listen address.
    #[arg(long = "address", env = "CASELOG_PROJECTION_ADDR",
        value_name = "CASELOG_PROJECTION_ADDR", default_value = "127.0.0.1:8083", value_parser = listen_address)]
    pub address: SocketAddr,
    /// After this long without a message (milliseconds), a projection reads the log
    /// itself in case NATS missed something.
    #[arg(long = "idle-check-ms", env = "CASELOG_PROJECTION_IDLE_CHECK_MS",
        value_name = "CASELOG_PROJECTION_IDLE_CHECK_MS", default_value = "2000", value_parser = millis)]
    pub idle_check: Duration,
    /// How often (milliseconds) a standby instance tries to take over a projection,
    /// and an owner checks that it still holds it.
    #[arg(long = "standby-poll-ms", env = "CASELOG_PROJECTION_STANDBY_POLL_MS",
        value_name = "CASELOG_PROJECTION_STANDBY_POLL_MS", default_value = "1000", value_parser = millis)]
    pub standby_poll: Duration,
}
