//! caselog beyond one machine, on infrastructure of the test's own: a private Postgres,
//! a three-node JetStream cluster (stream and consumers on three replicas), and
//! several instances of every service, as `deploy/dev cluster up` runs them.

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use caselog_eventlog::relay::RelayConfig;
use caselog_schemas::Role;

use super::nats_cluster::NatsCluster;
use super::oracle::Observed;
use super::postgres::PrivatePostgres;
use crate::services::ServiceProcess;
use crate::stack::Session;

/// Copies of the stream and its consumers.
pub const REPLICAS: usize = 3;

pub struct ClusterStack {
    pub postgres: PrivatePostgres,
    pub nats: NatsCluster,
    pub commands: Vec<ServiceProcess>,
    pub projections: Vec<ServiceProcess>,
    pub queries: Vec<ServiceProcess>,
    /// A superuser pool straight to Postgres: what the oracle reads.
    pub pool: PgPool,
    pub http: reqwest::Client,
    env: Vec<(&'static str, String)>,
}

impl ClusterStack {
    /// Three NATS nodes and `instances` of each service.
    pub async fn start(instances: usize, extra_env: &[(&'static str, String)]) -> Self {
        let postgres = PrivatePostgres::start().await;
        let nats = NatsCluster::start(3).await;
        provision(&nats).await;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect(&format!("{}/caselog", postgres.url_base()))
            .await
            .expect("the private Postgres answers");
        let mut env = vec![
            (
                "CASELOG_DATABASE_URL",
                format!(
                    "postgres://{}@{}/caselog",
                    caselog_migrate::RUNTIME,
                    postgres.address()
                ),
            ),
            ("CASELOG_NATS_URL", nats.urls()),
            ("CASELOG_AUTO_CLOSE_POLL_MS", "200".to_owned()),
            // The oracle compares read models with their rebuild on a quiet log.
            ("CASELOG_CHECKPOINT_INTERVAL_MS", "3600000".to_owned()),
            ("CASELOG_PROJECTION_IDLE_CHECK_MS", "500".to_owned()),
        ];
        env.extend(extra_env.iter().cloned());
        let mut stack = Self {
            postgres,
            nats,
            commands: Vec::new(),
            projections: Vec::new(),
            queries: Vec::new(),
            pool,
            http: caselog_platform::connect::http_client()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            env,
        };
        for _ in 0..instances {
            let command = stack.start_instance("command-service").await;
            stack.commands.push(command);
        }
        for _ in 0..instances {
            let projection = stack.start_instance("projection-service").await;
            stack.projections.push(projection);
            let query = stack.start_instance("query-service").await;
            stack.queries.push(query);
        }
        stack
    }

    async fn start_instance(&self, binary: &str) -> ServiceProcess {
        let address_variable = match binary {
            "command-service" => "CASELOG_COMMAND_ADDR",
            "projection-service" => "CASELOG_PROJECTION_ADDR",
            _ => "CASELOG_QUERY_ADDR",
        };
        ServiceProcess::start(binary, address_variable, &self.env).await
    }

    /// A session sending commands to command instance `command` and reading from query
    /// instance `query`.
    pub fn session(
        &self,
        tenant: Uuid,
        user: Uuid,
        role: Role,
        command: usize,
        query: usize,
    ) -> Session {
        Session::connect(
            self.http.clone(),
            &self.commands[command].base_url,
            &self.queries[query].base_url,
            tenant,
            user,
            role,
        )
    }

    /// `GET` on an operational route; `None` if the instance does not answer.
    pub async fn status(&self, url: &str, path: &str) -> Option<Value> {
        let response = self
            .http
            .get(format!("{url}{path}"))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        response.status().is_success().then_some(())?;
        response.json().await.ok()
    }

    /// The command instance whose relay publishes, if one does.
    pub async fn relay_holder(&self) -> Option<usize> {
        for (index, command) in self.commands.iter().enumerate() {
            if let Some(relay) = self.status(&command.base_url, "/v1/relay").await
                && relay["role"] == "active"
            {
                return Some(index);
            }
        }
        None
    }

    /// How far the active relay has published.
    pub async fn published(&self) -> Option<i64> {
        let holder = self.relay_holder().await?;
        let relay = self
            .status(&self.commands[holder].base_url, "/v1/relay")
            .await?;
        relay["published_position"].as_i64()
    }

    /// The names of the projections projection instance `index` applies now.
    pub async fn projections_owned_by(&self, index: usize) -> Vec<String> {
        let Some(report) = self
            .status(&self.projections[index].base_url, "/v1/projections")
            .await
        else {
            return Vec::new();
        };
        report["projections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|projection| projection["role"] == "active")
            .filter_map(|projection| projection["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// Every projection's checkpoint, read straight from Postgres.
    pub async fn projection_positions(&self) -> Vec<i64> {
        let mut positions = Vec::new();
        for name in super::oracle::PROJECTIONS {
            let position: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT position FROM rm_{name}.checkpoint"
            )))
            .fetch_one(&self.pool)
            .await
            .expect("read a checkpoint");
            positions.push(position);
        }
        positions
    }

    /// How long until the relay and every projection are at the log head, or `None`
    /// after `within`.
    pub async fn time_to_catch_up(&self, within: Duration) -> Option<Duration> {
        let started = tokio::time::Instant::now();
        while started.elapsed() < within {
            let head = self.log_head().await;
            if self.published().await == Some(head)
                && self
                    .projection_positions()
                    .await
                    .iter()
                    .all(|position| *position == head)
            {
                return Some(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// Dead letters set aside by any projection.
    pub async fn dead_letters(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM projections.dead_letters")
            .fetch_one(&self.pool)
            .await
            .expect("count dead letters")
    }
}

impl Observed for ClusterStack {
    fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn owner_url(&self) -> String {
        self.postgres.owner_url()
    }

    fn nats_url(&self) -> String {
        self.nats.urls()
    }
}

pub fn relay_config() -> RelayConfig {
    RelayConfig {
        replicas: REPLICAS,
        ..RelayConfig::default()
    }
}

/// The stream and its durable consumers on [`REPLICAS`] nodes, as `provision-nats`
/// with `CASELOG_NATS_REPLICAS=3` makes them. A new cluster may refuse for a moment
/// while its nodes settle; provisioning is retried.
async fn provision(nats: &NatsCluster) {
    let servers: Vec<String> = nats.urls().split(',').map(str::to_owned).collect();
    let client = crate::nats_login(crate::provisioner())
        .connect(servers)
        .await
        .expect("the cluster answers");
    let jetstream = async_nats::jetstream::new(client);
    let mut last_error = String::new();
    for _ in 0..20 {
        match caselog_eventlog::relay::provision(
            &jetstream,
            &relay_config(),
            &caselog_read_model::durable_consumers(),
            &caselog_read_model::RETIRED_CONSUMERS,
        )
        .await
        {
            Ok(_) => return,
            Err(error) => last_error = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("provisioning the cluster failed: {last_error}");
}
