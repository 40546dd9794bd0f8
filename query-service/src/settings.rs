use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{CheckpointTrustSettings, LimitSettings, listen_address, millis};

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub common: CommonSettings,
    #[command(flatten)]
    pub limits: LimitSettings,
    #[command(flatten)]
    pub checkpoints: CheckpointTrustSettings,
    /// The query service's listen address.
    #[arg(long = "address", env = "CASELOG_QUERY_ADDR",
        value_name = "CASELOG_QUERY_ADDR", default_value = "127.0.0.1:8082", value_parser = listen_address)]
    pub address: SocketAddr,
    /// The longest a query waits for `X-Min-Position`, in milliseconds.
    #[arg(long = "min-position-wait-ms", env = "CASELOG_MIN_POSITION_WAIT_MS",
        value_name = "CASELOG_MIN_POSITION_WAIT_MS", default_value = "5000", value_parser = millis)]
    pub min_position_wait: Duration,
    /// How often the dashboard stream looks for changes, in milliseconds.
    #[arg(long = "dashboard-poll-ms", env = "CASELOG_DASHBOARD_POLL_MS",
        value_name = "CASELOG_DASHBOARD_POLL_MS", default_value = "250", value_parser = millis)]
    pub stream_poll: Duration,
    /// How often cached content of newly erased cases (and caches after a rebuild) is
    /// dropped, in milliseconds.
    #[arg(long = "erasure-poll-ms", env = "CASELOG_ERASURE_POLL_MS",
        value_name = "CASELOG_ERASURE_POLL_MS", default_value = "1000", value_parser = millis)]
    pub erasure_poll: Duration,
    /// A PDF export of a case with more timeline entries than this is refused (422).
    #[arg(
        long,
        env = "CASELOG_EXPORT_MAX_ENTRIES",
        value_name = "CASELOG_EXPORT_MAX_ENTRIES",
        default_value = "20000"
    )]
    pub export_max_entries: usize,
    /// A PDF export that would fill more pages than this is refused (422).
    #[arg(
        long,
        env = "CASELOG_EXPORT_MAX_PAGES",
        value_name = "CASELOG_EXPORT_MAX_PAGES",
        default_value = "2000"
    )]
    pub export_max_pages: usize,
    /// A PDF export still rendering after this is stopped (503), in milliseconds.
    #[arg(long = "export-render-timeout-ms", env = "CASELOG_EXPORT_RENDER_TIMEOUT_MS",
        value_name = "CASELOG_EXPORT_RENDER_TIMEOUT_MS", default_value = "8000", value_parser = millis)]
    pub export_render_time: Duration,
}

impl Settings {
    /// The checkpoint public keys verification trusts.
    pub fn trusted_keys(&self) -> anyhow::Result<caselog_eventlog::checkpoint::TrustedKeys> {
        caselog_eventlog::checkpoint::TrustedKeys::parse(
            &self.checkpoints.public_keys(self.common.environment)?,
        )
    }
}
