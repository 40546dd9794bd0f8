//! Settings common to every service: command-line flags that default to `CASELOG_*`
//! environment variables (clap), so `--help` lists each with its variable and a bad
//! value is refused naming it.
//!
//! Safe by default: outside the local stack (`CASELOG_ENV=dev`, which `deploy/dev`
//! sets) a service refuses to start without its own token key and NATS credentials,
//! and refuses the local stack's published ones.

mod checkpoints;
mod limits;
mod shutdown;
mod tokens;

use std::net::SocketAddr;
use std::time::Duration;

pub use checkpoints::{
    CheckpointSigningSettings, CheckpointTrustSettings, LOCAL_CHECKPOINT_KEY,
    LOCAL_CHECKPOINT_PUBLIC_KEY,
};
pub use limits::LimitSettings;
pub use shutdown::ShutdownSettings;
pub use tokens::{MIN_JWT_SECRET_BYTES, TokenSettings};

/// The local stack's key-encryption key (base64 of 32 bytes); accepted only with
/// `CASELOG_ENV=dev`.
pub const LOCAL_KEK: &str = "Y2FzZWxvZy1sb2NhbC1kZXYta2VrLW5vdC1zZWNyZXQ=";

/// The local stack's JWT key; accepted only with `CASELOG_ENV=dev`.
pub const LOCAL_JWT_SECRET: &str = "caselog-local-dev-secret";

/// Where a service runs: production unless told it is the local stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// Every secret must be configured; the local stack's are refused.
    Production,
    /// The local stack (`deploy/dev`): its published key and NATS passwords are used
    /// when none are set.
    Dev,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CommonSettings {
    /// `dev` for the local stack only: allows its published secrets.
    #[arg(
        long = "env",
        env = "CASELOG_ENV",
        value_name = "CASELOG_ENV",
        value_enum,
        default_value = "production"
    )]
    pub environment: Environment,
    /// Postgres (the log and the read models).
    #[arg(
        long,
        env = "CASELOG_DATABASE_URL",
        value_name = "CASELOG_DATABASE_URL",
        default_value = "postgres://caselog_runtime@127.0.0.1:55432/caselog"
    )]
    pub database_url: String,
    /// Postgres connections this process keeps at most.
    #[arg(
        long,
        env = "CASELOG_DATABASE_POOL_SIZE",
        value_name = "CASELOG_DATABASE_POOL_SIZE",
        default_value = "16"
    )]
    pub database_pool_size: u32,
    /// How long a request waits for a free Postgres connection before it is answered
    /// 503 (ms).
    #[arg(long = "database-acquire-timeout-ms", env = "CASELOG_DATABASE_ACQUIRE_TIMEOUT_MS",
        value_name = "CASELOG_DATABASE_ACQUIRE_TIMEOUT_MS", value_parser = millis,
        default_value = "5000")]
    pub database_acquire_timeout: Duration,
    /// The NATS server, or several comma-separated (the nodes of a cluster: the client
    /// also learns the others from whichever it reaches first).
    #[arg(
        long,
        env = "CASELOG_NATS_URL",
        value_name = "CASELOG_NATS_URL",
        default_value = "nats://127.0.0.1:54222"
    )]
    pub nats_url: String,
    /// The service's NATS user; with `CASELOG_ENV=dev`, the local stack's user of the
    /// service when unset (`deploy/nats/dev.conf`).
    #[arg(long, env = "CASELOG_NATS_USER", value_name = "CASELOG_NATS_USER")]
    pub nats_user: Option<String>,
    #[arg(
        long,
        env = "CASELOG_NATS_PASSWORD",
        value_name = "CASELOG_NATS_PASSWORD",
        hide_env_values = true
    )]
    pub nats_password: Option<String>,
    /// Where replies to this service's requests arrive; the server lets only its user
    /// subscribe there (`_INBOX_<user>` when unset), so no user reads another's replies.
    #[arg(
        long,
        env = "CASELOG_NATS_INBOX_PREFIX",
        value_name = "CASELOG_NATS_INBOX_PREFIX"
    )]
    pub nats_inbox_prefix: Option<String>,
    /// A PEM file of the CA(s) that signed the NATS server's certificate: the connection
    /// is then TLS and the server must prove itself (use a `tls://` URL).
    #[arg(long, env = "CASELOG_NATS_TLS_CA", value_name = "CASELOG_NATS_TLS_CA")]
    pub nats_tls_ca: Option<std::path::PathBuf>,
    /// A client certificate and its key (PEM files), for servers that verify clients.
    #[arg(
        long,
        env = "CASELOG_NATS_TLS_CERT",
        value_name = "CASELOG_NATS_TLS_CERT",
        requires = "nats_tls_key"
    )]
    pub nats_tls_cert: Option<std::path::PathBuf>,
    #[arg(
        long,
        env = "CASELOG_NATS_TLS_KEY",
        value_name = "CASELOG_NATS_TLS_KEY",
        requires = "nats_tls_cert"
    )]
    pub nats_tls_key: Option<std::path::PathBuf>,
    /// Subject prefix; change it only to isolate environments sharing one server.
    #[arg(long, env = "CASELOG_NATS_SUBJECT_ROOT",
        value_name = "CASELOG_NATS_SUBJECT_ROOT", default_value = caselog_schemas::SubjectRoot::PRODUCTION)]
    pub subject_root: String,
    /// Copies JetStream keeps of the stream and its consumers when `provision-nats`
    /// creates them: 3 on a three-node cluster.
    #[arg(long, env = "CASELOG_NATS_REPLICAS", value_name = "CASELOG_NATS_REPLICAS",
        default_value = "1", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub nats_replicas: u8,
    /// The JetStream stream holding every caselog subject.
    #[arg(
        long,
        env = "CASELOG_NATS_STREAM",
        value_name = "CASELOG_NATS_STREAM",
        default_value = "CASELOG"
    )]
    pub stream_name: String,
    #[command(flatten)]
    pub tokens: TokenSettings,
    #[command(flatten)]
    pub shutdown: ShutdownSettings,
    /// The key-encryption key every data key is wrapped by: base64 of 32 random bytes
    /// (`openssl rand -base64 32`). Required (this or `CASELOG_KEK_FILE`) unless
    /// `CASELOG_ENV=dev`.
    #[arg(
        long,
        env = "CASELOG_KEK",
        value_name = "CASELOG_KEK",
        hide_env_values = true
    )]
    pub kek: Option<String>,
    /// A file holding the key-encryption key (base64), instead of `CASELOG_KEK`.
    #[arg(
        long,
        env = "CASELOG_KEK_FILE",
        value_name = "CASELOG_KEK_FILE",
        conflicts_with = "kek"
    )]
    pub kek_file: Option<std::path::PathBuf>,
    /// Earlier key-encryption keys, comma-separated: they still unwrap data keys until
    /// `command-service rewrap-keys` has wrapped every key with the current one.
    #[arg(
        long,
        env = "CASELOG_KEK_PREVIOUS",
        value_name = "CASELOG_KEK_PREVIOUS",
        hide_env_values = true
    )]
    pub kek_previous: Option<String>,
    #[arg(
        long,
        env = "CASELOG_LOG_FORMAT",
        value_name = "CASELOG_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
    /// When set (e.g. `http://127.0.0.1:4317`), traces are exported over OTLP/gRPC.
    #[arg(
        long,
        env = "OTEL_EXPORTER_OTLP_ENDPOINT",
        value_name = "OTEL_EXPORTER_OTLP_ENDPOINT"
    )]
    pub otlp_endpoint: Option<String>,
}

pub const LOCAL_STACK: &str = "(or set CASELOG_ENV=dev, for the local stack only)";

/// The local stack's NATS passwords: refused outside `CASELOG_ENV=dev`.
const LOCAL_NATS_PASSWORDS: [&str; 5] = [
    LocalNatsUser::RELAY.1,
    LocalNatsUser::PROJECTION.1,
    LocalNatsUser::QUERY.1,
    LocalNatsUser::ANALYTICS.1,
    LocalNatsUser::CALLOUT.1,
];

impl CommonSettings {
    /// Refuses what is unsafe outside the local stack; a service calls it before it
    /// serves.
    pub fn check(&self) -> anyhow::Result<()> {
        self.check_token_key()?;
        self.check_nats_user()?;
        self.key_encryption_keys().map(|_| ())
    }

    /// The current key-encryption key and the previous ones (raw bytes): the
    /// configured ones; in `dev`, the local stack's when none is. Outside `dev` a KEK
    /// is required and the local stack's is refused.
    pub fn key_encryption_keys(&self) -> anyhow::Result<(Vec<u8>, Vec<Vec<u8>>)> {
        let decode = |what: &str, text: &str| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| anyhow::anyhow!("{what} is not base64"))
        };
        let configured = match (&self.kek, &self.kek_file) {
            (Some(kek), _) if !kek.is_empty() => Some(kek.clone()),
            (_, Some(path)) => Some(std::fs::read_to_string(path).map_err(|error| {
                anyhow::anyhow!("CASELOG_KEK_FILE {}: {error}", path.display())
            })?),
            _ => None,
        };
        let current = match configured {
            Some(kek) if kek.trim() == LOCAL_KEK && self.environment == Environment::Production => {
                anyhow::bail!(
                    "CASELOG_KEK is the local stack's published key; set one of your own \
                     {LOCAL_STACK}"
                )
            }
            Some(kek) => decode("CASELOG_KEK", &kek)?,
            None if self.environment == Environment::Dev => decode("LOCAL_KEK", LOCAL_KEK)?,
            None => anyhow::bail!(
                "CASELOG_KEK (or CASELOG_KEK_FILE) is required: the key that wraps every data \
                 key (`openssl rand -base64 32`) {LOCAL_STACK}"
            ),
        };
        anyhow::ensure!(
            current.len() == 32,
            "CASELOG_KEK is {} bytes; it must be 32 (`openssl rand -base64 32`)",
            current.len()
        );
        let previous = self
            .kek_previous
            .iter()
            .flat_map(|list| list.split(','))
            .filter(|text| !text.trim().is_empty())
            .map(|text| decode("CASELOG_KEK_PREVIOUS", text))
            .collect::<anyhow::Result<_>>()?;
        Ok((current, previous))
    }

    /// A token key of the deployment's own (or an identity provider's), unless `dev`.
    pub fn check_token_key(&self) -> anyhow::Result<()> {
        if self.environment == Environment::Dev {
            return Ok(());
        }
        self.tokens.check()
    }

    /// NATS credentials of the deployment's own, unless `dev`.
    pub fn check_nats_user(&self) -> anyhow::Result<()> {
        if self.environment == Environment::Dev {
            return Ok(());
        }
        if self.nats_user.as_deref().is_none_or(str::is_empty) {
            anyhow::bail!(
                "CASELOG_NATS_USER and CASELOG_NATS_PASSWORD are required: the service's NATS \
                 user {LOCAL_STACK}"
            );
        }
        if let Some(password) = &self.nats_password
            && LOCAL_NATS_PASSWORDS.contains(&password.as_str())
        {
            anyhow::bail!(
                "CASELOG_NATS_PASSWORD is one of the local stack's published passwords; set one \
                 of your own {LOCAL_STACK}"
            );
        }
        Ok(())
    }

    /// The HS256 token key: the configured one, or the local stack's in `dev`.
    pub fn token_secret(&self) -> Option<&str> {
        match self
            .tokens
            .jwt_secret
            .as_deref()
            .filter(|secret| !secret.is_empty())
        {
            Some(secret) => Some(secret),
            None if self.environment == Environment::Dev => Some(LOCAL_JWT_SECRET),
            None => None,
        }
    }

    /// Verifies access tokens with the configured keys.
    pub fn token_verifier(&self) -> anyhow::Result<crate::token::TokenVerifier> {
        crate::token::TokenVerifier::new(&self.tokens, self.token_secret())
    }

    /// The subject prefix of this connection's reply inboxes.
    pub fn inbox_prefix(&self, user: &str) -> String {
        self.nats_inbox_prefix
            .clone()
            .unwrap_or_else(|| inbox_prefix(user))
    }

    /// The configured NATS user, or (in `dev`) the service's user of the local stack.
    pub fn nats_credentials(&self, local: LocalNatsUser) -> (String, String) {
        match &self.nats_user {
            Some(user) if !user.is_empty() => {
                (user.clone(), self.nats_password.clone().unwrap_or_default())
            }
            _ => (local.0.to_owned(), local.1.to_owned()),
        }
    }
}

/// A NATS user of the local stack (`deploy/nats/dev.conf`): name and password.
#[derive(Debug, Clone, Copy)]
pub struct LocalNatsUser(pub &'static str, pub &'static str);

impl LocalNatsUser {
    pub const RELAY: Self = Self("relay", "caselog-local-relay");
    pub const PROJECTION: Self = Self("projection", "caselog-local-projection");
    pub const QUERY: Self = Self("query", "caselog-local-query");
    /// The provisioner has no published password: `deploy/dev` makes one per machine
    /// (`.dev/nats/provisioner.password`), and it is always passed explicitly.
    pub const PROVISIONER: Self = Self("provisioner", "");
    pub const ANALYTICS: Self = Self("analytics", "caselog-local-analytics");
    /// The command service's NATS auth callout (the server's `AUTH` account).
    pub const CALLOUT: Self = Self("callout", "caselog-local-callout");
}

/// The local stack's auth callout key (an account nkey seed) and its public key, the
/// `issuer` `deploy/nats/dev.conf` trusts: published, so refused outside `dev`.
pub const LOCAL_CALLOUT_SEED: &str = "SAAAXR5HUEUM5S4RZHX7I7W27J7ODNFMBKWBO34Z6C3NV4AKYOTOCEGV5U";
pub const LOCAL_CALLOUT_ISSUER: &str = "AAQWRO35EBO372DHWCQZKXZMQ4TC43EXBADKFCHWLEEQ6K2VOFI6DZNG";

/// The reply-inbox prefix of NATS user `user`: `_INBOX_<user>`, with anything that may
/// not stand in a subject token replaced by `_`. The server's permissions for the user
/// allow subscribing to `_INBOX_<user>.>` only.
pub fn inbox_prefix(user: &str) -> String {
    let token: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("_INBOX_{token}")
}

/// A duration given in milliseconds, as the `*_MS` settings are.
pub fn millis(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("{text:?} is not a whole number of milliseconds"))
}

/// A listen address such as `127.0.0.1:8081`.
pub fn listen_address(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a socket address such as 127.0.0.1:8081"))
}

#[cfg(test)]
mod tests;
