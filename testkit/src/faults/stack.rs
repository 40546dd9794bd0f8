//! The whole caselog stack on infrastructure of the test's own: a private Postgres and
//! nats-server, each service reaching them through fault proxies of its own, so a test
//! can cut one service off while the others carry on.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use caselog_eventlog::relay::RelayConfig;
use caselog_platform::settings::LocalNatsUser;
use caselog_schemas::Role;

use super::nats::PrivateNats;
use super::oracle::Observed;
use super::postgres::PrivatePostgres;
use super::proxy::FaultProxy;
use crate::services::ServiceProcess;
use crate::stack::Session;

/// One service's process and the proxies it reaches Postgres and NATS through.
pub struct Service {
    pub process: ServiceProcess,
    pub postgres: FaultProxy,
    pub nats: FaultProxy,
    binary: &'static str,
    address_variable: &'static str,
    /// Kept across restarts, so clients find the service again.
    port: u16,
}

impl Service {
    pub fn url(&self) -> &str {
        &self.process.base_url
    }
}

pub struct FaultStack {
    pub postgres: PrivatePostgres,
    pub nats: PrivateNats,
    pub command: Service,
    pub projection: Service,
    pub query: Service,
    /// A pool straight to Postgres (no proxy): what the oracle reads.
    pub pool: PgPool,
    pub http: reqwest::Client,
    env: Vec<(&'static str, String)>,
}

impl FaultStack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts Postgres, nats-server (provisioned as `deploy/dev up` does) and the three
    /// services, with extra environment for every service.
    pub async fn start_with(extra_env: &[(&'static str, String)]) -> Self {
        Self::start_on(PrivateNats::start().await, extra_env).await
    }

    /// The stack on a nats-server the test configured itself.
    pub async fn start_on(nats: PrivateNats, extra_env: &[(&'static str, String)]) -> Self {
        let postgres = PrivatePostgres::start().await;
        provision(&nats).await;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(&format!("{}/caselog", postgres.url_base()))
            .await
            .expect("the private Postgres answers");
        let mut env = vec![
            ("CASELOG_AUTO_CLOSE_POLL_MS", "200".to_owned()),
            // The oracle compares read models with their rebuild on a quiet log.
            ("CASELOG_CHECKPOINT_INTERVAL_MS", "3600000".to_owned()),
            ("CASELOG_PROJECTION_IDLE_CHECK_MS", "500".to_owned()),
            ("CASELOG_DASHBOARD_POLL_MS", "100".to_owned()),
        ];
        env.extend(extra_env.iter().cloned());
        let command = Service::start(
            "command-service",
            "CASELOG_COMMAND_ADDR",
            &postgres,
            &nats,
            &env,
        )
        .await;
        // The log's tables exist once the command service is up.
        let projection = Service::start(
            "projection-service",
            "CASELOG_PROJECTION_ADDR",
            &postgres,
            &nats,
            &env,
        )
        .await;
        let query = Service::start(
            "query-service",
            "CASELOG_QUERY_ADDR",
            &postgres,
            &nats,
            &env,
        )
        .await;
        Self {
            postgres,
            nats,
            command,
            projection,
            query,
            pool,
            http: caselog_platform::connect::http_client()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            env,
        }
    }

    /// A session for `user` of `tenant` with `role`, speaking to this stack.
    pub fn session(&self, tenant: Uuid, user: Uuid, role: Role) -> Session {
        Session::connect(
            self.http.clone(),
            self.command.url(),
            self.query.url(),
            tenant,
            user,
            role,
        )
    }

    /// Kills the command service (SIGKILL) and starts it again behind the same proxies.
    pub async fn restart_command(&mut self) {
        self.command.restart(&self.env).await;
    }

    /// Kills the projection service (SIGKILL) and starts it again behind the same proxies.
    pub async fn restart_projection(&mut self) {
        self.projection.restart(&self.env).await;
    }

    /// The environment every service was started with (for `Service::start_again`).
    pub fn env(&self) -> &[(&'static str, String)] {
        &self.env
    }

    /// `GET` on a service's operational route (`/v1/relay`, `/v1/projections`, `/readyz`).
    pub async fn status(&self, url: &str, path: &str) -> Option<(u16, Value)> {
        let response = self
            .http
            .get(format!("{url}{path}"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.unwrap_or(Value::Null)))
    }

    /// A service's `/metrics` (Prometheus text).
    pub async fn metrics(&self, url: &str) -> String {
        self.http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .expect("/metrics answers")
            .text()
            .await
            .expect("a text body")
    }

    /// The relay's lag, as `/v1/relay` reports it.
    pub async fn relay_lag(&self) -> Option<i64> {
        let (_, body) = self.status(self.command.url(), "/v1/relay").await?;
        body["lag"].as_i64()
    }

    /// How long until the relay and every projection are at the log head (lag 0 and
    /// nothing behind), or `None` if that takes longer than `within`.
    pub async fn time_to_catch_up(&self, within: Duration) -> Option<Duration> {
        let started = tokio::time::Instant::now();
        while started.elapsed() < within {
            if self.caught_up().await {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// How long until the relay has published up to `position` (or `None` after
    /// `within`).
    pub async fn time_until_published(&self, position: i64, within: Duration) -> Option<Duration> {
        let started = tokio::time::Instant::now();
        while started.elapsed() < within {
            if let Some((_, relay)) = self.status(self.command.url(), "/v1/relay").await
                && relay["published_position"].as_i64() >= Some(position)
            {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    async fn caught_up(&self) -> bool {
        let head = self.log_head().await;
        let Some((_, relay)) = self.status(self.command.url(), "/v1/relay").await else {
            return false;
        };
        if relay["published_position"].as_i64() != Some(head) {
            return false;
        }
        let Some((_, projections)) = self.status(self.projection.url(), "/v1/projections").await
        else {
            return false;
        };
        projections["projections"]
            .as_array()
            .is_some_and(|all| all.iter().all(|p| p["position"].as_i64() == Some(head)))
    }

    pub fn relay_config() -> RelayConfig {
        RelayConfig::default()
    }
}

impl Observed for FaultStack {
    fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn owner_url(&self) -> String {
        self.postgres.owner_url()
    }

    fn nats_url(&self) -> String {
        format!("nats://{}", self.nats.address())
    }
}

/// Runs `binary`'s command-line tool on a database (as the owner role, the operator's
/// tools' role) and NATS, with `nats_user`'s credentials; panics unless it succeeds.
pub async fn run_tool(
    owner_url: String,
    nats_url: String,
    binary: &str,
    nats_user: LocalNatsUser,
    args: &[&str],
) -> std::process::Output {
    let output = tokio::process::Command::new(crate::services::bin_dir().join(binary))
        .args(args)
        .env("RUST_LOG", "warn")
        .env("CASELOG_ENV", "dev")
        .env("CASELOG_DATABASE_URL", owner_url)
        .env("CASELOG_NATS_URL", nats_url)
        .env("CASELOG_NATS_USER", nats_user.0)
        .env("CASELOG_NATS_PASSWORD", nats_user.1)
        .output()
        .await
        .expect("the tool runs");
    assert!(
        output.status.success(),
        "{binary} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl Service {
    async fn start(
        binary: &'static str,
        address_variable: &'static str,
        postgres: &PrivatePostgres,
        nats: &PrivateNats,
        env: &[(&'static str, String)],
    ) -> Self {
        let postgres = FaultProxy::start(postgres.address()).await;
        let nats = FaultProxy::start(nats.address()).await;
        let port = super::free_port();
        let process = ServiceProcess::start(
            binary,
            address_variable,
            &Self::env(address_variable, port, &postgres, &nats, env),
        )
        .await;
        Self {
            process,
            postgres,
            nats,
            binary,
            address_variable,
            port,
        }
    }

    fn env(
        address_variable: &'static str,
        port: u16,
        postgres: &FaultProxy,
        nats: &FaultProxy,
        common: &[(&'static str, String)],
    ) -> Vec<(&'static str, String)> {
        let mut env = vec![
            (address_variable, format!("127.0.0.1:{port}")),
            (
                "CASELOG_DATABASE_URL",
                format!(
                    "postgres://{}@{}/caselog",
                    caselog_migrate::RUNTIME,
                    postgres.address()
                ),
            ),
            ("CASELOG_NATS_URL", format!("nats://{}", nats.address())),
        ];
        env.extend(common.iter().cloned());
        env
    }

    /// SIGKILL, then the same binary again behind the same proxies, on the same port.
    pub async fn restart(&mut self, common: &[(&'static str, String)]) {
        self.kill().await;
        self.start_again(common).await;
    }

    /// SIGKILL, as in a crash.
    pub async fn kill(&mut self) {
        self.process.kill().await;
    }

    /// Starts the binary again after `kill`.
    pub async fn start_again(&mut self, common: &[(&'static str, String)]) {
        self.process = ServiceProcess::start(
            self.binary,
            self.address_variable,
            &Self::env(
                self.address_variable,
                self.port,
                &self.postgres,
                &self.nats,
                common,
            ),
        )
        .await;
    }
}

/// Creates the stream and its durable consumers as the provisioner, straight to the
/// server (what `deploy/dev up` and `command-service provision-nats` do).
pub async fn provision(nats: &PrivateNats) {
    let client = crate::nats_login(crate::provisioner())
        .connect(nats.address())
        .await
        .expect("the private nats-server answers");
    caselog_eventlog::relay::provision(
        &async_nats::jetstream::new(client),
        &FaultStack::relay_config(),
        &caselog_read_model::durable_consumers(),
        &caselog_read_model::RETIRED_CONSUMERS,
    )
    .await
    .expect("provision the stream and its consumers");
}
