//! Connections to the two engines every service needs.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tracing::info;

use crate::settings::LocalNatsUser;

/// Connects to both engines for `service`, as its NATS user.
pub async fn dependencies(
    settings: &crate::CommonSettings,
    service: &str,
    nats_user: LocalNatsUser,
    max_connections: u32,
) -> anyhow::Result<crate::health::Dependencies> {
    Ok(crate::health::Dependencies {
        postgres: postgres(&settings.database_url, service, max_connections).await?,
        nats: nats(settings, service, nats_user).await?,
    })
}

/// Session settings of every connection the services open. A statement, a lock wait
/// or a transaction left idle (its client gone quiet: a crash, a half-open network
/// path) is ended by Postgres itself, so no session holds the log's writer lock or a
/// projection's lock for longer than this. The server's keepalives notice a vanished
/// client; `client_connection_check_interval` stops a query whose client is gone.
pub const SESSION_SETTINGS: [(&str, &str); 7] = [
    ("statement_timeout", "30s"),
    ("lock_timeout", "10s"),
    ("idle_in_transaction_session_timeout", "10s"),
    ("tcp_keepalives_idle", "10"),
    ("tcp_keepalives_interval", "5"),
    ("tcp_keepalives_count", "3"),
    ("client_connection_check_interval", "5s"),
];

/// Opens a Postgres pool named after the service (visible in `pg_stat_activity`), its
/// sessions bounded by [`SESSION_SETTINGS`].
pub async fn postgres(
    database_url: &str,
    service: &str,
    max_connections: u32,
) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = database_url.parse()?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.application_name(service).options(SESSION_SETTINGS))
        .await?;
    Ok(pool)
}

/// Connects to NATS, retrying in the background if the server goes away, and logs the
/// server version (the local stack pins one; DEPENDENCIES.md says why it matters).
pub async fn nats(
    settings: &crate::CommonSettings,
    service: &str,
    nats_user: LocalNatsUser,
) -> anyhow::Result<async_nats::Client> {
    let (user, password) = settings.nats_credentials(nats_user);
    let nats_url = &settings.nats_url;
    let client = async_nats::ConnectOptions::with_user_and_password(user, password)
        .name(service)
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(nats_url)
        .await?;
    // With retry_on_initial_connect the first handshake happens in the background; wait
    // for it briefly so a misconfigured URL shows at start-up, not at the first publish.
    for _ in 0..50 {
        if client.connection_state() == async_nats::connection::State::Connected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let server = client.server_info();
    info!(server_version = %server.version, server_name = %server.server_name, "connected to nats");
    Ok(client)
}

/// An HTTP client builder for outbound calls (an identity provider's keys, tests):
/// reqwest is built without a TLS provider of its own, so rustls's ring provider, the
/// one sqlx already uses, is installed for both.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
