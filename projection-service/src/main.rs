use clap::{Parser, Subcommand};

use caselog_platform::{connect, telemetry};
use caselog_projection_service::projections::Projection;
use caselog_projection_service::runner::rebuild;
use caselog_projection_service::{Application, Settings, migrate};

/// caselog's projection service: builds the read models from the event stream.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the projectors and the status routes (the default).
    Serve,
    /// Rebuild one projection (inbox, history, internal_messages, directory) from the
    /// log while the live one keeps serving, then swap; prints a JSON report.
    Rebuild { name: String },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let _telemetry = telemetry::init("projection-service", &settings.common)?;
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Rebuild { name } => {
            let projection = Projection::from_name(&name).ok_or_else(|| {
                let names: Vec<_> = Projection::ALL.iter().map(|p| p.name()).collect();
                anyhow::anyhow!("no projection named {name}; choose one of {names:?}")
            })?;
            let pool =
                connect::postgres(&settings.common.database_url, "projection-rebuild", 4).await?;
            caselog_eventlog::migrate(&pool).await?;
            migrate(&pool).await?;
            let report = rebuild::rebuild(&pool, projection).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
    }
}
