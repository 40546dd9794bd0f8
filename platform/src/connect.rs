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
) -> anyhow::Result<crate::health::Dependencies> {
    Ok(crate::health::Dependencies {
        postgres: service_pool(settings, service).await?,
        nats: nats(settings, service, nats_user).await?,
    })
}

/// The service's Postgres pool, sized and bounded by its settings
/// (`CASELOG_DATABASE_POOL_SIZE`, `CASELOG_DATABASE_ACQUIRE_TIMEOUT_MS`).
pub async fn service_pool(
    settings: &crate::CommonSettings,
    service: &str,
) -> anyhow::Result<PgPool> {
    pool(
        &settings.database_url,
        service,
        settings.database_pool_size,
        settings.database_acquire_timeout,
    )
    .await
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

/// A small Postgres pool for an operator's tool.
pub async fn postgres(
    database_url: &str,
    service: &str,
    max_connections: u32,
) -> anyhow::Result<PgPool> {
    pool(
        database_url,
        service,
        max_connections,
        Duration::from_secs(5),
    )
    .await
}

/// Opens a Postgres pool named after the service (visible in `pg_stat_activity`), its
/// sessions bounded by [`SESSION_SETTINGS`].
async fn pool(
    database_url: &str,
    service: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<PgPool> {
    let options: PgConnectOptions = database_url.parse()?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options.application_name(service).options(SESSION_SETTINGS))
        .await?;
    Ok(pool)
}

/// The oldest nats-server caselog runs against: the JetStream behaviour it relies on
/// (and async-nats's `server_2_14` features) come with it.
pub const MIN_NATS_SERVER: (u64, u64) = (2, 14);

/// Connects to NATS as the service's user, over TLS when a CA is configured, with
/// reply inboxes only that user may read, retrying in the background if the server goes
/// away. The server's version is checked once connected: an older one is refused
/// (with `CASELOG_ENV=dev`, only warned about).
pub async fn nats(
    settings: &crate::CommonSettings,
    service: &str,
    nats_user: LocalNatsUser,
) -> anyhow::Result<async_nats::Client> {
    let (user, password) = settings.nats_credentials(nats_user);
    nats_as(settings, service, user, password).await
}

/// [`nats`] as an explicit user (the command service's auth callout logs in as its own).
pub async fn nats_as(
    settings: &crate::CommonSettings,
    service: &str,
    user: String,
    password: String,
) -> anyhow::Result<async_nats::Client> {
    let nats_url = &settings.nats_url;
    let mut options = async_nats::ConnectOptions::with_user_and_password(user.clone(), password)
        .name(service)
        .custom_inbox_prefix(settings.inbox_prefix(&user))
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5));
    if let Some(ca) = &settings.nats_tls_ca {
        anyhow::ensure!(
            ca.is_file(),
            "CASELOG_NATS_TLS_CA: no file at {}",
            ca.display()
        );
        options = options.require_tls(true).add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&settings.nats_tls_cert, &settings.nats_tls_key) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    // One URL, or a cluster's nodes comma-separated: whichever answers first.
    let servers: Vec<&str> = nats_url
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .collect();
    let client = options.connect(servers).await?;
    // With retry_on_initial_connect the first handshake happens in the background; wait
    // for it briefly so a misconfigured URL shows at start-up, not at the first publish.
    for _ in 0..50 {
        if client.connection_state() == async_nats::connection::State::Connected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let strict = settings.environment == crate::settings::Environment::Production;
    if client.connection_state() == async_nats::connection::State::Connected {
        check_server_version(&client, strict)?;
    } else {
        // Checked at the first connection instead: a service must not run against a
        // server too old for it just because that server was down at start-up.
        let later = client.clone();
        tokio::spawn(async move {
            while later.connection_state() != async_nats::connection::State::Connected {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            if let Err(error) = check_server_version(&later, strict) {
                tracing::error!(%error, "stopping");
                std::process::exit(78);
            }
        });
    }
    Ok(client)
}

/// Whether a nats-server version string (`2.15.1`, `2.14.0-RC.1`) is at least
/// [`MIN_NATS_SERVER`].
fn supported(version: &str) -> bool {
    let mut numbers = version
        .split(|c: char| !c.is_ascii_digit())
        .map(|part| part.parse::<u64>().unwrap_or(0));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0)) >= MIN_NATS_SERVER
}

fn check_server_version(client: &async_nats::Client, strict: bool) -> anyhow::Result<()> {
    let server = client.server_info();
    info!(server_version = %server.version, server_name = %server.server_name, "connected to nats");
    if supported(&server.version) {
        return Ok(());
    }
    let (major, minor) = MIN_NATS_SERVER;
    let message = format!(
        "nats-server {} is older than {major}.{minor}, the oldest caselog supports",
        server.version
    );
    if strict {
        anyhow::bail!("{message} (CASELOG_ENV=dev only warns)");
    }
    tracing::warn!("{message}; allowed for the local stack only");
    Ok(())
}

/// An HTTP client builder for outbound calls (an identity provider's keys, tests):
/// reqwest is built without a TLS provider of its own, so rustls's ring provider, the
/// one sqlx already uses, is installed for both.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

#[cfg(test)]
mod tests {
    #[test]
    fn servers_older_than_2_14_are_not_supported() {
        for old in ["2.9.20", "2.10.24", "2.13.9", "1.4.1", ""] {
            assert!(!super::supported(old), "{old}");
        }
        for current in ["2.14.0", "2.14.0-RC.1", "2.15.1", "3.0.0"] {
            assert!(super::supported(current), "{current}");
        }
    }
}
