use caselog_platform::telemetry;
use caselog_projection_service::{Application, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let _telemetry = telemetry::init("projection-service", &settings.common)?;
    Application::build(settings)
        .await?
        .run_until_stopped()
        .await
}
