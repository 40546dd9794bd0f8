//! Each projection is applied by one instance at a time. Every instance runs a runner
//! per projection, but a runner applies events only while it holds its projection's
//! lease ([`caselog_platform::leadership`]); the others stand by and take the lease
//! over within one poll when the owner dies or loses Postgres. Correctness never rests
//! on the lease: a batch takes the projection's transaction lock and skips what its
//! checkpoint already holds, so a deposed owner that has not noticed yet applies
//! nothing twice. The lease keeps replicas from contending for the same batches.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use caselog_platform::leadership;

use crate::projections::Projection;

/// Which projections this instance applies now (reported by `GET /v1/projections`).
#[derive(Clone, Default)]
pub struct Ownership {
    owned: Arc<[AtomicBool; Projection::ALL.len()]>,
}

impl Ownership {
    pub fn owns(&self, projection: Projection) -> bool {
        self.owned[projection as usize].load(Ordering::Relaxed)
    }

    fn set(&self, projection: Projection, owned: bool) {
        self.owned[projection as usize].store(owned, Ordering::Relaxed);
        metrics::gauge!("caselog_projection_active", "projection" => projection.name())
            .set(if owned { 1.0 } else { 0.0 });
    }

    /// Runs `work` for `projection` whenever this instance holds its lease, until
    /// `shutdown`. `work` gets a token cancelled when the lease is lost.
    pub async fn run_while_owner<F, Fut>(
        &self,
        pool: &sqlx::PgPool,
        projection: Projection,
        poll: Duration,
        shutdown: &CancellationToken,
        work: F,
    ) where
        F: Fn(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.set(projection, false);
        while !shutdown.is_cancelled() {
            let Some(lease) =
                leadership::acquire(pool, projection.owner_lock_key(), poll, shutdown).await
            else {
                return;
            };
            tracing::info!(
                projection = projection.name(),
                "this instance now applies the projection"
            );
            self.set(projection, true);
            let stop = shutdown.child_token();
            let mut running = tokio::spawn(work(stop.clone()));
            tokio::select! {
                _ = &mut running => {}
                _ = lease.lost(poll) => {
                    stop.cancel();
                    let _ = running.await;
                }
            }
            self.set(projection, false);
            lease.release().await;
        }
    }
}
