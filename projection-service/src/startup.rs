//! Builds the service: the live runner of every projection (applying while this
//! instance holds the projections' lease), the routes.

use std::net::SocketAddr;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_platform::service::Service;
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, health};
use caselog_schemas::SubjectRoot;

use crate::http;
use crate::runner::ownership::Ownership;
use crate::runner::{LiveRunner, RunnerConfig};
use crate::settings::Settings;

pub struct Application {
    service: Service,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // The metrics recorder first, so no gauge set during start-up is lost.
        health::metrics_handle();
        let dependencies = connect::dependencies(
            &settings.common,
            "projection-service",
            LocalNatsUser::PROJECTION,
        )
        .await?;
        caselog_read_model::migrations::require_migrated(&dependencies.postgres).await?;

        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let config = RunnerConfig {
            stream_name: settings.common.stream_name.clone(),
            subjects: SubjectRoot::new(settings.common.subject_root.clone()),
            idle_check: settings.idle_check,
        };
        let ownership = Ownership::default();
        {
            let (ownership, pool, nats, shutdown) = (
                ownership.clone(),
                dependencies.postgres.clone(),
                dependencies.nats.clone(),
                shutdown.clone(),
            );
            let poll = settings.standby_poll;
            tasks.spawn(async move {
                ownership
                    .run_while_owner(&pool.clone(), poll, &shutdown, |stop| {
                        LiveRunner::supervised(pool.clone(), nats.clone(), config.clone(), stop)
                    })
                    .await;
            });
        }

        tasks.spawn(crate::runner::status::export(
            dependencies.postgres.clone(),
            std::time::Duration::from_secs(2),
            shutdown.clone(),
        ));
        let router = caselog_platform::http::with_problem_fallbacks(
            http::router(dependencies.postgres.clone(), ownership)
                .merge(health::router(dependencies)),
        );
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
