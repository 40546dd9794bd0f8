//! The whole caselog stack for one test: its own database and JetStream stream, the
//! three real binaries, and sessions that speak HTTP to them as a given user.
//!
//! Every session of a stack shares the newest position any command returned, and
//! sends it as `X-Min-Position` on reads: a test reads its own writes, as a client
//! following the OpenAPI documents would.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use serde_json::Value;
use uuid::Uuid;

use caselog_schemas::Role;

use crate::TestDatabase;
use crate::jetstream::TestNats;
use crate::services::{Program, ServiceProcess};
pub use crate::session::{Reply, Session};

pub struct Stack {
    pub database: TestDatabase,
    pub nats: TestNats,
    pub command: ServiceProcess,
    pub query: ServiceProcess,
    pub projection: ServiceProcess,
    pub http: reqwest::Client,
    newest_position: Arc<AtomicI64>,
    env: Vec<(&'static str, String)>,
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts the stack with extra environment for every service.
    pub async fn start_with(extra_env: &[(&'static str, String)]) -> Self {
        Self::start_on(TestNats::connect().await, extra_env).await
    }

    /// Starts the stack on a stream the test made.
    pub async fn start_on(nats: TestNats, extra_env: &[(&'static str, String)]) -> Self {
        Self::start_programs(
            &Program::Built,
            TestDatabase::create().await,
            nats,
            extra_env,
        )
        .await
    }

    /// Starts the services of `program` on `database` (migrated) and the stream of `nats`.
    pub async fn start_programs(
        program: &Program,
        database: TestDatabase,
        nats: TestNats,
        extra_env: &[(&'static str, String)],
    ) -> Self {
        let mut env = nats.service_env(&database);
        env.push(("CASELOG_AUTO_CLOSE_POLL_MS", "100".to_owned()));
        // Checkpoints only where a test asks for them: a test counts the events it made.
        env.push(("CASELOG_CHECKPOINT_INTERVAL_MS", "3600000".to_owned()));
        env.push(("CASELOG_PROJECTION_IDLE_CHECK_MS", "500".to_owned()));
        env.push(("CASELOG_DASHBOARD_POLL_MS", "50".to_owned()));
        env.extend(extra_env.iter().cloned());
        let start = |binary, address_variable| {
            ServiceProcess::start_program(program, binary, address_variable, &env)
        };
        let command = start("command-service", "CASELOG_COMMAND_ADDR").await;
        let projection = start("projection-service", "CASELOG_PROJECTION_ADDR").await;
        let query = start("query-service", "CASELOG_QUERY_ADDR").await;
        Self {
            database,
            nats,
            command,
            query,
            projection,
            http: caselog_platform::connect::http_client().build().unwrap(),
            newest_position: Arc::new(AtomicI64::new(0)),
            env,
        }
    }

    /// Kills the command service (SIGKILL) and starts it again with the same environment
    /// (on a new port: sessions made before keep the old address).
    pub async fn crash_and_restart_command(&mut self, down_for: std::time::Duration) {
        self.command.kill().await;
        tokio::time::sleep(down_for).await;
        self.command =
            ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &self.env).await;
    }

    /// Another command service on the same database and stream (its relay on standby).
    pub async fn another_command_service(&self) -> ServiceProcess {
        ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &self.env).await
    }

    /// Kills the projection service (SIGKILL, as in a crash).
    pub async fn kill_projection(&mut self) {
        self.projection.kill().await;
    }

    /// Starts the projection service again with the same environment.
    pub async fn restart_projection(&mut self) {
        self.projection.kill().await;
        self.projection =
            ServiceProcess::start("projection-service", "CASELOG_PROJECTION_ADDR", &self.env).await;
    }

    /// Runs a service binary's command-line tool (for example `query-service verify`)
    /// against this stack's database and stream.
    pub async fn cli(&self, binary: &str, args: &[&str]) -> std::process::Output {
        self.cli_with(binary, args, &[]).await
    }

    /// [`Stack::cli`] with more environment.
    pub async fn cli_with(
        &self,
        binary: &str,
        args: &[&str],
        extra_env: &[(&'static str, String)],
    ) -> std::process::Output {
        let mut command = tokio::process::Command::new(crate::services::bin_dir().join(binary));
        command
            .args(args)
            .env("RUST_LOG", "warn")
            .env("CASELOG_ENV", "dev");
        for (key, value) in self.env.iter().chain(extra_env) {
            command.env(key, value);
        }
        command.output().await.expect("the tool runs")
    }

    /// Runs `command-service subscriptions <args>` as the operator does (as the
    /// provisioner NATS user): whether it succeeded, the JSON it printed, its stderr.
    pub async fn subscriptions(&self, args: &[&str]) -> (bool, Value, String) {
        let provisioner = crate::provisioner();
        let full: Vec<&str> = std::iter::once("subscriptions")
            .chain(args.iter().copied())
            .collect();
        let output = self
            .cli_with(
                "command-service",
                &full,
                &[
                    ("CASELOG_NATS_USER", provisioner.0.to_owned()),
                    ("CASELOG_NATS_PASSWORD", provisioner.1.to_owned()),
                ],
            )
            .await;
        let printed = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        let errors = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), printed, errors)
    }

    /// Stops the three services and starts them again with `extra_env` added (new
    /// ports: make sessions again).
    pub async fn restart_with(&mut self, extra_env: &[(&'static str, String)]) {
        self.command.kill().await;
        self.projection.kill().await;
        self.query.kill().await;
        self.env.extend(extra_env.iter().cloned());
        self.command =
            ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &self.env).await;
        self.projection =
            ServiceProcess::start("projection-service", "CASELOG_PROJECTION_ADDR", &self.env).await;
        self.query = ServiceProcess::start("query-service", "CASELOG_QUERY_ADDR", &self.env).await;
    }

    /// A session for `user` of `tenant` with `role`.
    pub fn session(&self, tenant: Uuid, user: Uuid, role: Role) -> Session {
        Session::connect(
            self.http.clone(),
            &self.command.base_url,
            &self.query.base_url,
            tenant,
            user,
            role,
        )
        .sharing_positions(&self.newest_position)
    }

    /// A GET without a token (the probes, `/metrics`, `/openapi.json`), as text.
    pub async fn fetch_text(&self, url: &str) -> String {
        let response = self.http.get(url).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// A GET without a token, as JSON.
    pub async fn fetch_json(&self, url: &str) -> Value {
        serde_json::from_str(&self.fetch_text(url).await).unwrap()
    }

    /// The number of events in the log: what a refused command must leave unchanged.
    pub async fn log_length(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM eventlog.events")
            .fetch_one(&self.database.pool)
            .await
            .expect("count the log")
    }

    /// Runs `projection-service rebuild <name>` against this stack's database.
    pub async fn rebuild(&self, name: &str) -> Value {
        let output =
            tokio::process::Command::new(crate::services::bin_dir().join("projection-service"))
                .arg("rebuild")
                .arg(name)
                .env("CASELOG_ENV", "dev")
                .env("RUST_LOG", "info")
                // A rebuild creates and swaps schemas: the owner's work.
                .env("CASELOG_DATABASE_URL", &self.database.owner_url)
                .env("CASELOG_NATS_URL", crate::nats_url())
                .output()
                .await
                .expect("run the rebuild");
        assert!(
            output.status.success(),
            "rebuild {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The report alone on stdout; the progress, ending with its rate, on stderr.
        let logged = String::from_utf8_lossy(&output.stderr);
        assert!(
            logged.contains("finished") && logged.contains(&format!("job=rebuild {name}")),
            "the rebuild said nothing of its progress: {logged}"
        );
        serde_json::from_slice(&output.stdout).expect("a JSON report")
    }

    pub async fn stop(self) {
        self.nats.delete_stream().await;
    }
}
