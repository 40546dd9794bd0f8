//! Signed webhooks (README "Webhooks"): a tenant's admins register endpoints with the
//! event types they want (`/v1/webhooks` on the command service); the dispatcher
//! delivers each such event of that tenant as JSON signed the Standard Webhooks way,
//! retries with backoff, keeps what never arrived as dead letters, and logs every
//! attempt for the admins.
//!
//! The dispatcher runs in the command service, in two halves joined by the
//! `webhooks.deliveries` table: the fan-out ([`fanout`]) reads the stream through its
//! JetStream consumer and records deliveries; the sender ([`sender`]) sends what is
//! due. Both may run in every replica.

pub mod deliveries;
pub mod endpoint;
pub mod endpoints;
mod fanout;
mod resolver;
pub mod schedule;
mod sender;
pub mod signature;

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_eventlog::LogReader;
use caselog_platform::settings::{Environment, millis};

pub use deliveries::{Deliveries, Delivery};
pub use endpoint::ReceiverRules;
pub use endpoints::{Endpoint, Endpoints, NewEndpoint};
pub use schedule::RetrySchedule;
pub use signature::Secret;

#[derive(Debug, Clone, clap::Args)]
pub struct WebhookSettings {
    /// Run the webhook dispatcher in this instance (`true` or `false`).
    #[arg(long = "webhooks-enabled", env = "CASELOG_WEBHOOKS_ENABLED",
        value_name = "CASELOG_WEBHOOKS_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub enabled: bool,
    /// The wait before a failed delivery's first retry, in milliseconds; each later
    /// one waits four times longer, up to six hours.
    #[arg(long = "webhook-first-retry-ms", env = "CASELOG_WEBHOOK_FIRST_RETRY_MS",
        value_name = "CASELOG_WEBHOOK_FIRST_RETRY_MS", default_value = "10000", value_parser = millis)]
    pub first_retry: Duration,
    /// Attempts before a delivery is a dead letter.
    #[arg(long = "webhook-max-attempts", env = "CASELOG_WEBHOOK_MAX_ATTEMPTS",
        value_name = "CASELOG_WEBHOOK_MAX_ATTEMPTS", default_value_t = 10,
        value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
    /// Receivers on loopback, private and other non-public addresses, and plain
    /// `http://` URLs. Unset: allowed with `CASELOG_ENV=dev` only.
    #[arg(long = "webhook-allow-private-receivers", env = "CASELOG_WEBHOOK_ALLOW_PRIVATE_RECEIVERS",
        value_name = "CASELOG_WEBHOOK_ALLOW_PRIVATE_RECEIVERS", action = clap::ArgAction::Set)]
    pub allow_private_receivers: Option<bool>,
    /// How often the sender looks for retries that came due, in milliseconds.
    #[arg(long = "webhook-poll-ms", env = "CASELOG_WEBHOOK_POLL_MS",
        value_name = "CASELOG_WEBHOOK_POLL_MS", default_value = "1000", value_parser = millis)]
    pub poll: Duration,
}

impl WebhookSettings {
    pub fn rules(&self, environment: Environment) -> ReceiverRules {
        let private = self
            .allow_private_receivers
            .unwrap_or(environment == Environment::Dev);
        ReceiverRules {
            private_networks: private,
            plain_http: private,
        }
    }

    pub fn schedule(&self) -> RetrySchedule {
        RetrySchedule {
            first_retry: self.first_retry,
            max_attempts: self.max_attempts,
        }
    }
}

/// Starts the fan-out and the sender on `tasks` until `shutdown`.
pub fn start_dispatcher(
    settings: &WebhookSettings,
    environment: Environment,
    pool: &PgPool,
    jetstream: async_nats::jetstream::Context,
    stream: String,
    tasks: &TaskTracker,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let recorded = Arc::new(Notify::new());
    let endpoints = Endpoints::new(pool.clone());
    let deliveries = Deliveries::new(pool.clone());
    let rules = settings.rules(environment);
    let fanout = fanout::Fanout {
        endpoints: endpoints.clone(),
        deliveries: deliveries.clone(),
        recorded: recorded.clone(),
    };
    let sender = sender::Sender {
        endpoints,
        deliveries,
        log: LogReader::new(pool.clone()),
        http: resolver::client(rules)?,
        schedule: settings.schedule(),
        rules,
        poll: settings.poll,
        recorded,
    };
    tasks.spawn(fanout.run(jetstream, stream, shutdown.clone()));
    tasks.spawn(sender.run(shutdown.clone()));
    Ok(())
}

/// The webhooks' tables (schema `webhooks`), applied by `caselog-migrate`.
pub fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.create_schema("webhooks");
    migrator.dangerous_set_table_name("webhooks._sqlx_migrations");
    migrator
}

/// The runtime role (`role`, quoted) keeps the endpoints and deliveries.
pub fn runtime_grants(role: &str) -> Vec<String> {
    vec![
        format!("GRANT USAGE ON SCHEMA webhooks TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA webhooks TO {role}"),
    ]
}
