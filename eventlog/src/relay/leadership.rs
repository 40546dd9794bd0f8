//! One active relay at a time: a session-level advisory lock on a dedicated connection
//! (not a pooled one, so the pool can never hand the lock to another task). Losing the
//! connection releases the lock; `check` notices that before each publish.

use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::{RelayConfig, RelayError};

/// `pg_advisory_lock` key of the relay ("relay" in ASCII).
const RELAY_LOCK_KEY: i64 = 0x0072_656c_6179;

pub struct Leadership {
    connection: Mutex<PgConnection>,
}

/// Waits until this instance holds the relay lock, or returns `None` on shutdown.
pub async fn acquire(
    pool: &PgPool,
    config: &RelayConfig,
    shutdown: &CancellationToken,
) -> Option<Leadership> {
    loop {
        match try_acquire(pool).await {
            Ok(Some(leadership)) => return Some(leadership),
            Ok(None) => {}
            Err(error) => warn!(%error, "relay could not try the leadership lock"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            _ = tokio::time::sleep(config.standby_poll) => {}
        }
    }
}

async fn try_acquire(pool: &PgPool) -> Result<Option<Leadership>, sqlx::Error> {
    let options = pool.connect_options();
    let mut connection = PgConnection::connect_with(&options).await?;
    let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(RELAY_LOCK_KEY)
        .fetch_one(&mut connection)
        .await?;
    if acquired {
        Ok(Some(Leadership {
            connection: Mutex::new(connection),
        }))
    } else {
        let _ = connection.close().await;
        Ok(None)
    }
}

impl Leadership {
    /// Fails if the lock's connection is gone (and with it, the lock).
    pub async fn check(&self) -> Result<(), RelayError> {
        let mut connection = self.connection.lock().await;
        tokio::time::timeout(Duration::from_secs(5), connection.ping())
            .await
            .map_err(|_| RelayError::Database(sqlx::Error::PoolTimedOut))??;
        Ok(())
    }

    /// Gives the lock up by closing its connection.
    pub async fn release(self) {
        let _ = self.connection.into_inner().close().await;
    }
}
