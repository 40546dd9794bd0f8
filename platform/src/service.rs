//! The serving loop every service shares: bind, serve until SIGINT/SIGTERM, drain
//! (`shutdown`), let requests in flight and background tasks finish their current unit
//! of work, within the shutdown time-out, and exit.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{info, warn};

use crate::settings::ShutdownSettings;
use crate::shutdown;

/// A bound HTTP service with its background tasks.
pub struct Service {
    listener: TcpListener,
    router: axum::Router,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    settings: ShutdownSettings,
}

impl Service {
    /// Binds `address` (port 0 picks a free port, as tests do).
    pub async fn bind(
        address: SocketAddr,
        settings: &ShutdownSettings,
        router: axum::Router,
        shutdown: CancellationToken,
        tasks: TaskTracker,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        Ok(Self {
            listener,
            router: crate::http::observe(router),
            shutdown,
            tasks,
            settings: settings.clone(),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A token that stops the service when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        info!(address = %self.address(), "listening");
        shutdown::cancel_on_signal(self.shutdown.clone(), self.settings.clone());
        let stop = self.shutdown.clone();
        // The peer's address reaches handlers that record who read what.
        let serving = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .into_future();
        let timeout = self.settings.timeout;
        let stopped = self.shutdown.clone();
        tokio::select! {
            served = serving => served?,
            _ = async { stopped.cancelled().await; tokio::time::sleep(timeout).await } => {
                warn!(timeout_ms = timeout.as_millis() as u64, "requests still in flight were cut at the shutdown time-out");
            }
        }
        self.tasks.close();
        if tokio::time::timeout(timeout, self.tasks.wait())
            .await
            .is_err()
        {
            warn!("background tasks had not stopped at the shutdown time-out");
        }
        info!("stopped");
        Ok(())
    }
}
