use std::net::SocketAddr;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use caselog_eventlog::LogReader;
use caselog_platform::service::Service;
use caselog_platform::{connect, health};

use crate::http;
use crate::settings::Settings;

pub struct Application {
    service: Service,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let dependencies =
            connect::dependencies(&settings.common, "projection-service", 16).await?;
        caselog_eventlog::migrate(&dependencies.postgres).await?;
        let router = http::router(LogReader::new(dependencies.postgres.clone()))
            .merge(health::router(dependencies));
        let service = Service::bind(
            settings.address,
            router,
            CancellationToken::new(),
            TaskTracker::new(),
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
