//! `caselog-migrate`: the one step that changes caselog's schema, run before the
//! services start (and before each upgrade) as the owner role; `caselog-migrate roles`
//! creates the roles, as a database administrator, once.

use std::time::Duration;

use clap::{Parser, Subcommand};

use caselog_migrate::{RoleSettings, create_roles, migrate};
use caselog_platform::settings::millis;

#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The database, logged in as the owner role (or, for `roles`, as an administrator).
    #[arg(
        long,
        env = "CASELOG_DATABASE_URL",
        value_name = "CASELOG_DATABASE_URL"
    )]
    database_url: String,
    /// The role that owns the schema and applies the migrations.
    #[arg(
        long,
        env = "CASELOG_OWNER_ROLE",
        value_name = "CASELOG_OWNER_ROLE",
        default_value = "caselog_owner"
    )]
    owner_role: String,
    /// The role the services log in as.
    #[arg(
        long,
        env = "CASELOG_RUNTIME_ROLE",
        value_name = "CASELOG_RUNTIME_ROLE",
        default_value = "caselog_runtime"
    )]
    runtime_role: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply every migration as the owner role and grant the runtime role its
    /// privileges (the default).
    Up,
    /// Create the owner and runtime roles (run by a database administrator, once per
    /// cluster and database; safe to repeat).
    Roles {
        /// The owner role's password (unset: leave it as it is).
        #[arg(
            long,
            env = "CASELOG_OWNER_PASSWORD",
            value_name = "CASELOG_OWNER_PASSWORD",
            hide_env_values = true
        )]
        owner_password: Option<String>,
        /// The runtime role's password (unset: leave it as it is).
        #[arg(
            long,
            env = "CASELOG_RUNTIME_PASSWORD",
            value_name = "CASELOG_RUNTIME_PASSWORD",
            hide_env_values = true
        )]
        runtime_password: Option<String>,
        /// `statement_timeout` of every runtime session (ms).
        #[arg(long, env = "CASELOG_RUNTIME_STATEMENT_TIMEOUT_MS",
            value_name = "CASELOG_RUNTIME_STATEMENT_TIMEOUT_MS", value_parser = millis,
            default_value = "30000")]
        statement_timeout: Duration,
        /// `lock_timeout` of every runtime session (ms).
        #[arg(long, env = "CASELOG_RUNTIME_LOCK_TIMEOUT_MS",
            value_name = "CASELOG_RUNTIME_LOCK_TIMEOUT_MS", value_parser = millis,
            default_value = "10000")]
        lock_timeout: Duration,
        /// `idle_in_transaction_session_timeout` of every runtime session (ms).
        #[arg(long, env = "CASELOG_RUNTIME_IDLE_IN_TRANSACTION_MS",
            value_name = "CASELOG_RUNTIME_IDLE_IN_TRANSACTION_MS", value_parser = millis,
            default_value = "10000")]
        idle_in_transaction_timeout: Duration,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Up) {
        Command::Up => {
            migrate(&cli.database_url, &cli.owner_role, &cli.runtime_role).await?;
            println!("migrated; {} may use the schema", cli.runtime_role);
        }
        Command::Roles {
            owner_password,
            runtime_password,
            statement_timeout,
            lock_timeout,
            idle_in_transaction_timeout,
        } => {
            let roles = RoleSettings {
                owner: cli.owner_role,
                runtime: cli.runtime_role,
                owner_password,
                runtime_password,
                statement_timeout,
                lock_timeout,
                idle_in_transaction_timeout,
            };
            create_roles(&cli.database_url, &roles).await?;
            println!("roles {} and {} are ready", roles.owner, roles.runtime);
        }
    }
    Ok(())
}
