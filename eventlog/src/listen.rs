//! Follows commits made by any process: `LISTEN caselog_events`, whose payload is the
//! new log head. Feeds the same watch channel the local writer feeds, so a tail in this
//! process wakes on commits from everywhere.

use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use caselog_schemas::Position;

use crate::append::HEAD_CHANNEL;

/// Listens until `shutdown`, reconnecting after errors.
pub async fn listen_for_head(
    pool: PgPool,
    head: Arc<watch::Sender<Position>>,
    shutdown: CancellationToken,
) {
    let mut backoff = caselog_platform::retry::Backoff::new();
    while !shutdown.is_cancelled() {
        if let Err(error) = listen_once(&pool, &head, &shutdown).await {
            warn!(%error, "log head listener failed, reconnecting");
            if !backoff.wait(&shutdown).await {
                return;
            }
        } else {
            backoff.reset();
        }
    }
}

async fn listen_once(
    pool: &PgPool,
    head: &watch::Sender<Position>,
    shutdown: &CancellationToken,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(HEAD_CHANNEL).await?;
    loop {
        let notification = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            notification = listener.recv() => notification?,
        };
        if let Ok(position) = notification.payload().parse::<i64>() {
            head.send_if_modified(|current| {
                let advanced = position > current.0;
                if advanced {
                    current.0 = position;
                }
                advanced
            });
        }
    }
}
