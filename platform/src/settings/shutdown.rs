use std::time::Duration;

use super::millis;

/// How a service stops on SIGTERM (platform `service`): readiness fails first, then
/// requests in flight finish, then background work stops between units.
#[derive(Debug, Clone, clap::Args)]
pub struct ShutdownSettings {
    /// After SIGTERM, how long (milliseconds) readiness answers 503 while the service
    /// still serves, so load balancers stop sending it requests before it stops
    /// accepting them. Kubernetes needs a few seconds; the local stack sets 0.
    #[arg(long = "shutdown-drain-ms", env = "CASELOG_SHUTDOWN_DRAIN_MS",
        value_name = "CASELOG_SHUTDOWN_DRAIN_MS", value_parser = millis, default_value = "5000")]
    pub drain: Duration,
    /// Then, how long (milliseconds) requests in flight and background work may take
    /// to finish before the process exits anyway. Keep drain + this below the
    /// platform's grace period (Kubernetes' `terminationGracePeriodSeconds`).
    #[arg(long = "shutdown-timeout-ms", env = "CASELOG_SHUTDOWN_TIMEOUT_MS",
        value_name = "CASELOG_SHUTDOWN_TIMEOUT_MS", value_parser = millis, default_value = "20000")]
    pub timeout: Duration,
}
