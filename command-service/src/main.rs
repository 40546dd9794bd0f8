use clap::{Parser, Subcommand};

use caselog_command_service::subscriptions::{self, operator::SubscriptionsCommand};
use caselog_command_service::{Application, Settings};
use caselog_eventlog::checkpoint::CheckpointSigner;
use caselog_eventlog::erasure::{Keyring, StreamKeys};
use caselog_eventlog::relay::{RelayConfig, provision};
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, telemetry, token};
use caselog_schemas::Role;
use caselog_schemas::SubjectRoot;

/// caselog's command service: HTTP commands in, events into the log, and the relay
/// that publishes the log to NATS.
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
    /// Serve the command API and run the relay (the default).
    Serve,
    /// Create the JetStream stream and every durable consumer that is missing (as the
    /// provisioner NATS user); prints what exists. Running it again is harmless.
    ProvisionNats,
    /// Wrap every data key with the current key-encryption key (after upgrading to
    /// wrapped keys, and after a rotation: the old KEK in CASELOG_KEK_PREVIOUS until
    /// this has run); prints how many it wrapped. Safe to run again.
    RewrapKeys,
    /// Print a new checkpoint signing key (CASELOG_CHECKPOINT_SIGNING_KEY) and its public
    /// key (CASELOG_CHECKPOINT_PUBLIC_KEYS, and the auditors' offline verifier), as JSON.
    CheckpointKey,
    /// The subscriptions integrators own: a durable consumer and a NATS user each
    /// (README "Subscribing to caselog events").
    Subscriptions {
        #[command(subcommand)]
        command: SubscriptionsCommand,
    },
    /// Print a new account nkey for the NATS auth callout, as JSON: the seed for
    /// CASELOG_NATS_CALLOUT_SEED, the public key for the nats-server's
    /// `auth_callout.issuer`.
    CalloutKey,
    /// Print an HS256 JWT signed with CASELOG_JWT_SECRET (the local stack's key with
    /// CASELOG_ENV=dev), carrying CASELOG_JWT_ISSUER and CASELOG_JWT_AUDIENCE when set.
    Token {
        #[arg(long)]
        tenant: uuid::Uuid,
        #[arg(long)]
        user: uuid::Uuid,
        #[arg(long)]
        role: Role,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 12)]
        hours: i64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::ProvisionNats => provision_nats(&settings).await,
        Command::Token {
            tenant,
            user,
            role,
            hours,
        } => {
            settings.common.check_token_key()?;
            let secret = settings.common.token_secret().ok_or_else(|| {
                anyhow::anyhow!(
                    "CASELOG_JWT_SECRET is not set: tokens come from the identity provider"
                )
            })?;
            let tokens = &settings.common.tokens;
            println!(
                "{}",
                token::mint_for(
                    secret,
                    tokens.jwt_issuer.as_deref(),
                    tokens.jwt_audience.as_deref(),
                    user,
                    tenant,
                    role,
                    chrono::Duration::hours(hours)
                )
            );
            Ok(())
        }
        Command::Subscriptions { command } => {
            let printed = subscriptions::operator::run(&settings, command).await?;
            println!("{}", serde_json::to_string_pretty(&printed)?);
            Ok(())
        }
        Command::CalloutKey => {
            let key = nkeys::KeyPair::new_account();
            println!(
                "{}",
                serde_json::json!({ "seed": key.seed()?, "public_key": key.public_key() })
            );
            Ok(())
        }
        Command::CheckpointKey => {
            let seed = CheckpointSigner::generate_seed();
            let signer = CheckpointSigner::from_base64_seed(&seed)?;
            println!(
                "{}",
                serde_json::json!({
                    "signing_key": seed,
                    "public_key": signer.public_key().to_base64(),
                    "key_id": signer.public_key().id,
                })
            );
            Ok(())
        }
        Command::RewrapKeys => {
            Keyring::install_from(&settings.common)?;
            let pool =
                connect::postgres(&settings.common.database_url, "caselog-rewrap-keys", 2).await?;
            let rewrapped = StreamKeys::new(pool).rewrap(500).await?;
            println!("{}", serde_json::json!({ "rewrapped": rewrapped }));
            Ok(())
        }
        Command::Serve => {
            settings.common.check()?;
            settings
                .checkpoints
                .signing_key(settings.common.environment)?;
            Keyring::install_from(&settings.common)?;
            let _telemetry = telemetry::init("command-service", &settings.common)?;
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }
    }
}

/// Creates the stream and every durable consumer, and deletes retired consumers.
async fn provision_nats(settings: &Settings) -> anyhow::Result<()> {
    settings.common.check_nats_user()?;
    let client = connect::nats(
        &settings.common,
        "caselog-provisioner",
        LocalNatsUser::PROVISIONER,
    )
    .await?;
    let config = RelayConfig {
        stream_name: settings.common.stream_name.clone(),
        subjects: SubjectRoot::new(settings.common.subject_root.clone()),
        replicas: usize::from(settings.common.nats_replicas),
        ..RelayConfig::default()
    };
    let provisioned = provision(
        &async_nats::jetstream::new(client),
        &config,
        &caselog_read_model::durable_consumers(),
        &caselog_read_model::RETIRED_CONSUMERS,
    )
    .await?;
    println!("{}", serde_json::to_string(&provisioned)?);
    Ok(())
}
