//! One active instance among replicas: the relay, each projection's runner. The lease
//! is a session-level advisory lock on a dedicated connection (never a pooled one, so
//! the pool can never hand the lock to another task). Whoever holds it works; the
//! others poll for it. The lock goes with its connection: an instance killed, or cut
//! off from Postgres, loses it once Postgres sees the session end (at once for a
//! process that dies, within the keepalive settings of `connect::SESSION_SETTINGS`
//! for a machine that vanishes), and a standby takes it on its next poll.
//!
//! A lease makes one instance do the work; it does not by itself make the work safe to
//! do twice. What it guards must stay correct when a deposed holder has not noticed yet
//! (the relay's expected-sequence publishes, the projections' checkpoints under their
//! transaction lock).

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::warn;

/// How long a liveness check of the lease's connection may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// This instance holds the lock `key` while the value lives (and its connection).
pub struct Lease {
    key: i64,
    connection: Mutex<PgConnection>,
}

/// Waits until this instance holds `key`, trying every `poll`; `None` on shutdown.
pub async fn acquire(
    pool: &PgPool,
    key: i64,
    poll: Duration,
    shutdown: &CancellationToken,
) -> Option<Lease> {
    loop {
        match try_acquire(pool, key).await {
            Ok(Some(lease)) => return Some(lease),
            Ok(None) => {}
            Err(error) => warn!(%error, key, "could not try a leadership lock"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Takes `key` if nobody holds it.
pub async fn try_acquire(pool: &PgPool, key: i64) -> Result<Option<Lease>, sqlx::Error> {
    let mut connection = PgConnection::connect_with(&pool.connect_options()).await?;
    let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(key)
        .fetch_one(&mut connection)
        .await?;
    if acquired {
        Ok(Some(Lease {
            key,
            connection: Mutex::new(connection),
        }))
    } else {
        let _ = connection.close().await;
        Ok(None)
    }
}

impl Lease {
    /// Fails if the lock's connection is gone (and with it, the lock).
    pub async fn check(&self) -> Result<(), sqlx::Error> {
        let mut connection = self.connection.lock().await;
        tokio::time::timeout(CHECK_TIMEOUT, connection.ping())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
    }

    /// Returns once the lease is lost, checking every `every`.
    pub async fn lost(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            if let Err(error) = self.check().await {
                warn!(%error, key = self.key, "leadership lock lost with its connection");
                return;
            }
        }
    }

    /// Gives the lock up by closing its connection.
    pub async fn release(self) {
        let _ = self.connection.into_inner().close().await;
    }
}
