//! Builds the service from its settings: the log's migrations, the relay task, the routes.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_eventlog::checkpoint::{CheckpointSigner, Checkpointer};
use caselog_eventlog::relay::{Relay, RelayConfig, RelayStatus};
use caselog_eventlog::{EventLog, LogReader, WriterConfig, head_channel, listen_for_head};
use caselog_platform::http::ApiLimits;
use caselog_platform::service::Service;
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, health};

use crate::application::{CommandExecutor, DirectoryLookup, auto_close};
use caselog_schemas::SubjectRoot;

use crate::http::{self, AppState, WebhookState};
use crate::settings::Settings;
use crate::subscriptions::SubscriptionStore;
use crate::subscriptions::callout::Callout;

pub struct Application {
    service: Service,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // The metrics recorder first, so no gauge set during start-up is lost.
        health::metrics_handle();
        let pool = connect::service_pool(&settings.common, "command-service").await?;
        caselog_eventlog::require_migrated(&pool).await?;
        caselog_platform::migrations::require(
            &pool,
            "the command service's schema",
            &crate::migrations::migrator(),
        )
        .await?;
        let nats = connect::nats(&settings.common, "command-service", LocalNatsUser::RELAY).await?;

        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let head = head_channel();
        tasks.spawn(listen_for_head(
            pool.clone(),
            head.clone(),
            shutdown.clone(),
        ));

        let relay_status = RelayStatus::default();
        if settings.relay_enabled {
            let config = RelayConfig {
                stream_name: settings.common.stream_name.clone(),
                subjects: SubjectRoot::new(settings.common.subject_root.clone()),
                // The relay's NATS user may not create streams: `provision-nats` does.
                provision_stream: false,
                ..RelayConfig::default()
            };
            let reader = LogReader::new(pool.clone());
            let relay = Relay::new(
                reader,
                nats.clone(),
                head.subscribe(),
                config,
                relay_status.clone(),
            );
            tasks.spawn(relay.run(shutdown.clone()));
        }

        let log = EventLog::start(pool.clone(), WriterConfig::default(), head.clone());
        let signer = CheckpointSigner::from_base64_seed(
            &settings
                .checkpoints
                .signing_key(settings.common.environment)?,
        )?;
        tasks.spawn(
            Checkpointer::new(log.clone(), Arc::new(signer))
                .run(settings.checkpoints.checkpoint_interval, shutdown.clone()),
        );
        let executor = CommandExecutor::new(log, LogReader::new(pool.clone()));
        let lookup = DirectoryLookup::new(executor.clone());
        tasks.spawn(auto_close::run(
            pool.clone(),
            executor.clone(),
            lookup.clone(),
            settings.auto_close_poll,
            shutdown.clone(),
        ));

        start_callout(&settings, &pool, &tasks, &shutdown).await?;
        if settings.webhooks.enabled {
            caselog_webhooks::start_dispatcher(
                &settings.webhooks,
                settings.common.environment,
                &pool,
                async_nats::jetstream::new(nats.clone()),
                settings.common.stream_name.clone(),
                &tasks,
                &shutdown,
            )?;
        }

        let tokens = settings.common.token_verifier()?;
        let state = AppState {
            executor,
            lookup,
            relay_status,
            files: caselog_eventlog::FileObjects::new(pool.clone()),
            tokens: tokens.clone(),
            limits: ApiLimits::new(&settings.limits, tokens),
            webhooks: WebhookState {
                endpoints: caselog_webhooks::Endpoints::new(pool.clone()),
                deliveries: caselog_webhooks::Deliveries::new(pool.clone()),
                rules: settings.webhooks.rules(settings.common.environment),
            },
        };
        let router = caselog_platform::http::with_problem_fallbacks(http::router(state).merge(
            health::router(health::Dependencies {
                postgres: pool,
                nats,
            }),
        ));
        let service = Service::bind(
            settings.address,
            &settings.common.shutdown,
            router,
            shutdown,
            tasks,
        )
        .await?;
        Ok(Self { service })
    }

    pub fn address(&self) -> SocketAddr {
        self.service.address()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.service.run_until_stopped().await
    }
}

/// Answers the NATS logins of subscriptions' users, when a callout key is configured.
async fn start_callout(
    settings: &Settings,
    pool: &sqlx::PgPool,
    tasks: &TaskTracker,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let Some(credentials) = settings.callout.credentials(settings.common.environment)? else {
        tracing::warn!(
            "CASELOG_NATS_CALLOUT_SEED is not set: subscriptions' NATS users cannot log in"
        );
        return Ok(());
    };
    let client = connect::nats_as(
        &settings.common,
        "command-service-callout",
        credentials.user,
        credentials.password,
    )
    .await?;
    let callout = Callout::new(
        SubscriptionStore::new(pool.clone()),
        credentials.issuer,
        settings.callout.account.clone(),
        settings.common.stream_name.clone(),
    );
    tasks.spawn(callout.run(client, shutdown.clone()));
    Ok(())
}
