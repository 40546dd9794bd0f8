//! How far each read model is, as the projection service announces it: every batch it
//! commits sends `<projection>:<checkpoint>` on a Postgres channel. A query waiting on
//! `X-Min-Position` sleeps until its model's announcement passes the position, instead
//! of asking Postgres every few milliseconds.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use caselog_schemas::Position;

use super::Projection;

const CHANNEL: &str = caselog_read_model::PROGRESS_CHANNEL;

/// The newest checkpoint announced per read model; cheap to clone.
#[derive(Clone)]
pub struct Progress(Arc<[watch::Sender<i64>; Projection::ALL.len()]>);

impl Default for Progress {
    fn default() -> Self {
        Self(Arc::new(std::array::from_fn(|_| watch::channel(0).0)))
    }
}

impl Progress {
    /// Waits until `model` is announced at `position` or beyond, or `at_most` passes
    /// (an announcement can be missed while the listener reconnects: the caller
    /// looks at the model itself again either way).
    pub async fn wait_for(&self, model: Projection, position: Position, at_most: Duration) {
        let mut announced = self.0[model.index()].subscribe();
        let _ = tokio::time::timeout(at_most, announced.wait_for(|at| *at >= position.0)).await;
    }

    fn announce(&self, payload: &str) {
        let Some((name, position)) = payload.split_once(':') else {
            return;
        };
        let (Some(model), Ok(position)) = (Projection::from_name(name), position.parse::<i64>())
        else {
            return;
        };
        self.0[model.index()].send_if_modified(|at| {
            let advanced = position > *at;
            if advanced {
                *at = position;
            }
            advanced
        });
    }

    /// Follows the announcements until `shutdown`, reconnecting after a failure.
    pub async fn follow(self, pool: PgPool, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            if let Err(error) = self.listen(&pool, &shutdown).await {
                tracing::warn!(%error, "projection progress listener failed, reconnecting");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }

    async fn listen(&self, pool: &PgPool, shutdown: &CancellationToken) -> sqlx::Result<()> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                notification = listener.recv() => self.announce(notification?.payload()),
            }
        }
    }
}
