use clap::{Parser, Subcommand};

use caselog_eventlog::erasure::Keyring;
use caselog_platform::{connect, telemetry};
use caselog_projection_service::projections::Projection;
use caselog_projection_service::runner::{dead_letters, rebuild};
use caselog_projection_service::{Application, Settings};
use caselog_read_model::migrations::require_migrated;

/// caselog's projection service: builds the read models from the event stream.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the projectors and the status routes (the default).
    Serve,
    /// Rebuild one projection (inbox, history, internal_messages, directory, chat) from
    /// the log while the live one keeps serving, then swap; prints a JSON report.
    Rebuild { name: String },
    /// The events projections set aside (dead letters), and re-applying them.
    #[command(subcommand)]
    DeadLetters(DeadLetters),
}

#[derive(Subcommand)]
enum DeadLetters {
    /// Prints each dead letter as a JSON line, oldest first.
    List {
        /// Only this projection's.
        #[arg(long)]
        projection: Option<String>,
    },
    /// Re-applies dead letters after a fix by rebuilding their projection from the log;
    /// prints what was cleared and what still fails.
    Retry {
        /// Only this projection's.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        projection: Option<String>,
        /// Every projection's.
        #[arg(long)]
        all: bool,
    },
}

fn projection_named(name: &str) -> anyhow::Result<Projection> {
    Projection::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Projection::ALL.iter().map(|p| p.name()).collect();
        anyhow::anyhow!("no projection named {name}; choose one of {names:?}")
    })
}

async fn operator_pool(settings: &Settings) -> anyhow::Result<sqlx::PgPool> {
    Keyring::install_from(&settings.common)?;
    let pool = connect::postgres(&settings.common.database_url, "projection-operator", 4).await?;
    require_migrated(&pool).await?;
    Ok(pool)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    let command = cli.command.unwrap_or(Command::Serve);
    // The service traces; a tool logs to stderr, its answer alone on stdout.
    let _telemetry = match command {
        Command::Serve => Some(telemetry::init("projection-service", &settings.common)?),
        _ => {
            telemetry::init_tool(&settings.common)?;
            None
        }
    };
    match command {
        Command::Serve => {
            settings.common.check()?;
            Keyring::install_from(&settings.common)?;
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Rebuild { name } => {
            let projection = projection_named(&name)?;
            let pool = operator_pool(&settings).await?;
            let report = rebuild::rebuild(&pool, projection).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Command::DeadLetters(DeadLetters::List { projection }) => {
            let projection = projection.as_deref().map(projection_named).transpose()?;
            let pool = operator_pool(&settings).await?;
            for letter in dead_letters::list(&pool, projection).await? {
                println!("{}", serde_json::to_string(&letter)?);
            }
            Ok(())
        }
        Command::DeadLetters(DeadLetters::Retry { projection, all }) => {
            let projections = match projection {
                Some(name) if !all => vec![projection_named(&name)?],
                _ => Projection::ALL.to_vec(),
            };
            let pool = operator_pool(&settings).await?;
            for retried in dead_letters::retry(&pool, &projections).await? {
                println!("{}", serde_json::to_string(&retried)?);
            }
            Ok(())
        }
    }
}
