//! Graceful shutdown. The first SIGTERM (or SIGINT) starts draining: readiness answers
//! 503 while the service goes on serving, so load balancers take it out of rotation;
//! after the drain period one token stops the HTTP server (requests in flight finish)
//! and every background task (each stops between units of work). A second signal
//! skips what is left of the drain.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio_util::sync::CancellationToken;
use tracing::info;

use crate::settings::ShutdownSettings;

/// Signals are process-wide, so is draining.
static DRAINING: AtomicBool = AtomicBool::new(false);

/// True once a stop signal came: readiness fails from then on.
pub fn is_draining() -> bool {
    DRAINING.load(Ordering::Relaxed)
}

/// Drains, then cancels `token`, on SIGINT or SIGTERM.
pub fn cancel_on_signal(token: CancellationToken, settings: ShutdownSettings) {
    tokio::spawn(async move {
        if !signal(&token).await {
            return;
        }
        DRAINING.store(true, Ordering::Relaxed);
        info!(
            drain_ms = settings.drain.as_millis() as u64,
            "stop signal received: readiness fails, still serving while load balancers notice"
        );
        tokio::select! {
            _ = tokio::time::sleep(settings.drain) => {}
            _ = signal(&token) => info!("second stop signal: drain cut short"),
        }
        info!("no longer accepting requests; finishing those in flight");
        token.cancel();
    });
}

/// Waits for SIGINT or SIGTERM; false if `token` is cancelled first.
async fn signal(token: &CancellationToken) -> bool {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => true,
        _ = terminate => true,
        _ = token.cancelled() => false,
    }
}
