use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{
    CheckpointSigningSettings, LimitSettings, listen_address, millis,
};

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub common: CommonSettings,
    #[command(flatten)]
    pub limits: LimitSettings,
    #[command(flatten)]
    pub checkpoints: CheckpointSigningSettings,
    /// The command service's listen address.
    #[arg(long = "address", env = "CASELOG_COMMAND_ADDR",
        value_name = "CASELOG_COMMAND_ADDR", default_value = "127.0.0.1:8081", value_parser = listen_address)]
    pub address: SocketAddr,
    /// Run the relay task in this instance. Several instances may; one publishes at a time.
    #[arg(long, env = "CASELOG_RELAY_ENABLED",
        value_name = "CASELOG_RELAY_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub relay_enabled: bool,
    /// How often an idle auto-close worker looks for due conversations, in milliseconds.
    #[arg(long = "auto-close-poll-ms", env = "CASELOG_AUTO_CLOSE_POLL_MS",
        value_name = "CASELOG_AUTO_CLOSE_POLL_MS", default_value = "1000", value_parser = millis)]
    pub auto_close_poll: Duration,
}
