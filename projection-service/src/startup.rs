//! Builds the service: migrations, one live runner per projection, the routes.

use std::net::SocketAddr;

use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_platform::service::Service;
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, health};
use caselog_schemas::SubjectRoot;

use crate::http;
use crate::projections::Projection;
use crate::runner::{LiveRunner, RunnerConfig};
use crate::settings::Settings;

pub struct Application {
    service: Service,
}

/// Applies the read models' migrations (schema `projections` and the `rm_*` schemas).
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.create_schema("projections");
    migrator.dangerous_set_table_name("projections._sqlx_migrations");
    migrator.run(pool).await
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // The metrics recorder first, so no gauge set during start-up is lost.
        health::metrics_handle();
        let dependencies = connect::dependencies(
            &settings.common,
            "projection-service",
            LocalNatsUser::PROJECTION,
            16,
        )
        .await?;
        caselog_eventlog::migrate(&dependencies.postgres).await?;
        migrate(&dependencies.postgres).await?;

        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let config = RunnerConfig {
            stream_name: settings.common.stream_name.clone(),
            subjects: SubjectRoot::new(settings.common.subject_root.clone()),
            idle_check: settings.idle_check,
        };
        for projection in Projection::ALL {
            tasks.spawn(LiveRunner::supervised(
                projection,
                dependencies.postgres.clone(),
                dependencies.nats.clone(),
                config.clone(),
                shutdown.clone(),
            ));
        }

        tasks.spawn(crate::runner::status::export(
            dependencies.postgres.clone(),
            std::time::Duration::from_secs(2),
            shutdown.clone(),
        ));
        let router = caselog_platform::http::with_problem_fallbacks(
            http::router(dependencies.postgres.clone()).merge(health::router(dependencies)),
        );
        let service = Service::bind(settings.address, router, shutdown, tasks).await?;
        Ok(Self { service })
    }

    pub fn address(&self) -> SocketAddr {
        self.service.address()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.service.run_until_stopped().await
    }
}
