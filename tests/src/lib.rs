//! Support for tests that run against the real Postgres and nats-server started by
//! `deploy/dev test`: each test gets its own database and its own JetStream stream and
//! subject root, so tests run in parallel without seeing each other.

pub mod faults;
pub mod jetstream;
pub mod log;
pub mod pdf;
pub mod services;
pub mod stack;

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

/// `CASELOG_TEST_DATABASE_URL`: a database on the test server from which new databases
/// can be created.
pub fn admin_database_url() -> String {
    std::env::var("CASELOG_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://caselog@127.0.0.1:55432/postgres".to_owned())
}

/// `CASELOG_TEST_NATS_URL`
pub fn nats_url() -> String {
    std::env::var("CASELOG_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:54222".to_owned())
}

/// A fresh database with the event log's migrations applied.
/// A client of the test nats-server as one of the local stack's users.
pub async fn nats_client(user: caselog_platform::settings::LocalNatsUser) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.0.to_owned(), user.1.to_owned())
        .connect(nats_url())
        .await
        .expect("the test nats-server answers")
}

pub struct TestDatabase {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let admin: PgConnectOptions = admin_database_url()
            .parse()
            .expect("CASELOG_TEST_DATABASE_URL parses");
        let mut admin_connection = admin
            .connect()
            .await
            .expect("the test Postgres answers (deploy/dev test starts it)");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin_connection)
            .await
            .expect("create the test database");
        let options = admin.database(&name);
        let url = options.to_url_lossy().to_string();
        let pool = Self::pool_with(&url, 20).await;
        caselog_eventlog::migrate(&pool)
            .await
            .expect("migrations apply");
        Self { name, url, pool }
    }

    /// A group-commit writer on this database, as a command service would start it.
    pub fn event_log(&self) -> caselog_eventlog::EventLog {
        caselog_eventlog::EventLog::start(
            self.pool.clone(),
            caselog_eventlog::WriterConfig::default(),
            caselog_eventlog::head_channel(),
        )
    }

    /// Runs `sql` with triggers disabled, as a database administrator could, to show
    /// what the append-only trigger alone would not stop. Returns the rows affected.
    pub async fn edit_as_administrator(&self, sql: &'static str, stream_id: uuid::Uuid) -> u64 {
        let mut connection = self.pool.acquire().await.expect("a connection");
        sqlx::query("SET session_replication_role = replica")
            .execute(&mut *connection)
            .await
            .expect("superuser");
        let affected = sqlx::query(sql)
            .bind(stream_id)
            .execute(&mut *connection)
            .await
            .expect("the edit runs");
        sqlx::query("SET session_replication_role = origin")
            .execute(&mut *connection)
            .await
            .expect("reset");
        affected.rows_affected()
    }

    /// Another pool on the same database: a stand-in for another process.
    pub async fn another_pool(&self, max_connections: u32) -> PgPool {
        Self::pool_with(&self.url, max_connections).await
    }

    async fn pool_with(url: &str, max_connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .expect("connect to the test database")
    }
}

/// Polls `check` until it returns `Some`, or panics after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
