//! The projections are applied by one instance at a time. Every instance runs the live
//! runner, but it applies events only while it holds the projections' lease
//! ([`caselog_platform::leadership`]); the others stand by and take the lease over
//! within one poll when the owner dies or loses Postgres. Correctness never rests on
//! the lease: a batch takes each projection's transaction lock and skips what its
//! checkpoint already holds, so a deposed owner that has not noticed yet applies
//! nothing twice. The lease keeps replicas from contending for the same batches.
//!
//! One lease for all of them, not one each: the runner reads the stream once for every
//! projection and writes a batch to all of them in one transaction, which costs the
//! machine far less than five readers of the same events.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use caselog_platform::leadership;

use crate::projections::Projection;

/// Which projections this instance applies now (reported by `GET /v1/projections`).
#[derive(Clone, Default)]
pub struct Ownership {
    owned: Arc<AtomicBool>,
}

impl Ownership {
    pub fn owns(&self) -> bool {
        self.owned.load(Ordering::Relaxed)
    }

    fn set(&self, owned: bool) {
        self.owned.store(owned, Ordering::Relaxed);
        for projection in Projection::ALL {
            metrics::gauge!("caselog_projection_active", "projection" => projection.name())
                .set(if owned { 1.0 } else { 0.0 });
        }
    }

    /// Runs `work` whenever this instance holds the projections' lease, until
    /// `shutdown`. `work` gets a token cancelled when the lease is lost.
    pub async fn run_while_owner<F, Fut>(
        &self,
        pool: &sqlx::PgPool,
        poll: Duration,
        shutdown: &CancellationToken,
        work: F,
    ) where
        F: Fn(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.set(false);
        while !shutdown.is_cancelled() {
            let Some(lease) =
                leadership::acquire(pool, caselog_read_model::OWNER_LOCK_KEY, poll, shutdown).await
            else {
                return;
            };
            tracing::info!("this instance now applies the projections");
            self.set(true);
            let stop = shutdown.child_token();
            let mut running = tokio::spawn(work(stop.clone()));
            tokio::select! {
                _ = &mut running => {}
                _ = lease.lost(poll) => {
                    stop.cancel();
                    let _ = running.await;
                }
            }
            self.set(false);
            lease.release().await;
        }
    }
}
