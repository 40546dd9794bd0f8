//! The serving loop every service shares: bind, serve until SIGINT/SIGTERM, then let
//! background tasks finish their current unit of work before the process exits.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::info;

use crate::shutdown;

/// A bound HTTP service with its background tasks.
pub struct Service {
    listener: TcpListener,
    router: axum::Router,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Service {
    /// Binds `address` (port 0 picks a free port, as tests do).
    pub async fn bind(
        address: SocketAddr,
        router: axum::Router,
        shutdown: CancellationToken,
        tasks: TaskTracker,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        Ok(Self {
            listener,
            router,
            shutdown,
            tasks,
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
        shutdown::cancel_on_signal(self.shutdown.clone());
        let stop = self.shutdown.clone();
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await?;
        self.tasks.close();
        self.tasks.wait().await;
        info!("stopped");
        Ok(())
    }
}
