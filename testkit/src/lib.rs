//! Support for tests that run against the real Postgres and nats-server started by
//! `deploy/dev test`: each test gets its own database and its own JetStream stream and
//! subject root, so tests run in parallel without seeing each other.

// Test support: a panic here is the calling test failing, with the reason.
#![allow(clippy::unwrap_used)]

pub mod faults;
pub mod jetstream;
pub mod log;
pub mod pdf;
pub mod services;
pub mod session;
pub mod sse;
pub mod stack;
pub mod tools;

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

/// The provisioner of the test nats-servers: the shared one's password comes from
/// `deploy/dev test` (`CASELOG_TEST_NATS_PROVISIONER_PASSWORD`); a test's private
/// server is started with the same.
pub fn provisioner() -> caselog_platform::settings::LocalNatsUser {
    static PASSWORD: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    let password = PASSWORD.get_or_init(|| {
        let password = std::env::var("CASELOG_TEST_NATS_PROVISIONER_PASSWORD")
            .unwrap_or_else(|_| uuid::Uuid::new_v4().simple().to_string());
        Box::leak(password.into_boxed_str())
    });
    caselog_platform::settings::LocalNatsUser("provisioner", password)
}

/// Connection options as `user`, with the reply inboxes the server lets that user read.
pub fn nats_login(user: caselog_platform::settings::LocalNatsUser) -> async_nats::ConnectOptions {
    async_nats::ConnectOptions::with_user_and_password(user.0.to_owned(), user.1.to_owned())
        .custom_inbox_prefix(caselog_platform::settings::inbox_prefix(user.0))
}

/// A client of the test nats-server as one of the local stack's users (the
/// provisioner: [`provisioner`]), with that user's own reply inboxes.
pub async fn nats_client(user: caselog_platform::settings::LocalNatsUser) -> async_nats::Client {
    nats_login(user)
        .connect(nats_url())
        .await
        .expect("the test nats-server answers")
}

/// A test's own database, migrated as a deployment's is: by `caselog-migrate` as the
/// owner role, for services that log in as the runtime role.
pub struct TestDatabase {
    pub name: String,
    /// As the runtime role: what the services are given.
    pub url: String,
    /// As the owner role: what `rebuild` and the other schema-changing tools are given.
    pub owner_url: String,
    /// As the server's superuser: for a test's own looks behind the services' backs.
    pub admin_url: String,
    /// A superuser pool on `admin_url`.
    pub pool: PgPool,
    /// Left behind when dropped ([`Self::keep`]).
    kept: bool,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let database = Self::create_unmigrated().await;
        migrate(&database.admin_url).await;
        database
    }

    /// A database owned by the owner role, with no schema yet: for a test that migrates
    /// it another way (the container image's `caselog-migrate`).
    pub async fn create_unmigrated() -> Self {
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let admin: PgConnectOptions = admin_database_url()
            .parse()
            .expect("CASELOG_TEST_DATABASE_URL parses");
        let mut admin_connection = admin
            .connect()
            .await
            .expect("the test Postgres answers (deploy/dev test starts it)");
        prepare_roles(&admin_database_url()).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {}",
            caselog_migrate::OWNER
        )))
        .execute(&mut admin_connection)
        .await
        .expect("create the test database");
        let options = admin.database(&name);
        let admin_url = options.to_url_lossy().to_string();
        let as_role = |role: &str| options.clone().username(role).to_url_lossy().to_string();
        let pool = Self::pool_with(&admin_url, 20).await;
        Self {
            name,
            url: as_role(caselog_migrate::RUNTIME),
            owner_url: as_role(caselog_migrate::OWNER),
            admin_url,
            pool,
            kept: false,
        }
    }

    /// Leaves the database behind when this is dropped, for a look afterwards.
    pub fn keep(&mut self) {
        self.kept = true;
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

    /// Runs `sql` (one or more statements, no parameters) with triggers off, as a
    /// database administrator rewriting the log by hand would.
    pub async fn administer(&self, sql: &str) {
        let mut connection = self.pool.acquire().await.expect("a connection");
        let script = format!(
            "SET session_replication_role = replica; {sql}; SET session_replication_role = origin"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(script))
            .execute(&mut *connection)
            .await
            .expect("the administrator's SQL runs");
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

impl Drop for TestDatabase {
    /// The test's database goes with it, unless the test failed: then it stays for a
    /// look (`deploy/dev test` drops what earlier runs left). The services a test
    /// started may still be connected: `WITH (FORCE)` ends their sessions.
    fn drop(&mut self) {
        if self.kept || std::thread::panicking() {
            return;
        }
        let Ok(admin) = self.admin_url.parse::<PgConnectOptions>() else {
            return;
        };
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await: a thread of its own with a runtime of its own, so that the
        // test's runtime (maybe single-threaded, now blocked here) is not needed.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut connection = admin.database("postgres").connect().await?;
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut connection)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("test database {} not dropped: {error:#}", self.name);
        }
    }
}

/// Creates the owner and runtime roles on the server behind `admin_url` (a superuser's
/// connection), as `caselog-migrate roles` does; concurrent calls are safe.
pub async fn prepare_roles(admin_url: &str) {
    caselog_migrate::create_roles(admin_url, &caselog_migrate::RoleSettings::default())
        .await
        .expect("the owner and runtime roles");
}

/// Applies the migrations to the database behind `admin_url` as the owner role and
/// grants the runtime role, as `caselog-migrate` does.
pub async fn migrate(admin_url: &str) {
    caselog_migrate::migrate(admin_url, caselog_migrate::OWNER, caselog_migrate::RUNTIME)
        .await
        .expect("migrations apply");
}

/// The local stack's key-encryption key, for a test that opens sealed events itself
/// (the services it starts install theirs).
pub fn install_keyring() {
    use base64::Engine;
    let kek = base64::engine::general_purpose::STANDARD
        .decode(caselog_platform::settings::LOCAL_KEK)
        .expect("base64");
    caselog_eventlog::erasure::Keyring::new(&kek, &[])
        .expect("a 32-byte key")
        .install();
}

/// Polls `check` until it returns `Some`, or panics after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
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
