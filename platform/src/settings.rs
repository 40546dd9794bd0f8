//! Settings common to every service, read from `CASELOG_*` environment variables with
//! defaults that work with the local stack (`deploy/dev`).

use std::net::SocketAddr;

/// The local stack's JWT key; any real deployment sets its own `CASELOG_JWT_SECRET`.
pub const LOCAL_JWT_SECRET: &str = "caselog-local-dev-secret";

#[derive(Debug, Clone)]
pub struct CommonSettings {
    /// `CASELOG_DATABASE_URL`
    pub database_url: String,
    /// `CASELOG_NATS_URL`
    pub nats_url: String,
    /// `CASELOG_NATS_USER` and `CASELOG_NATS_PASSWORD`: the service's NATS user; each
    /// service defaults to its own user of the local stack (`deploy/nats/dev.conf`).
    pub nats_user: Option<String>,
    pub nats_password: Option<String>,
    /// `CASELOG_NATS_SUBJECT_ROOT`: `caselog.v1` unless an environment must be isolated.
    pub subject_root: String,
    /// `CASELOG_NATS_STREAM`: the JetStream stream holding every caselog subject.
    pub stream_name: String,
    /// `CASELOG_JWT_SECRET`
    pub jwt_secret: String,
    /// `CASELOG_LOG_FORMAT`: `json` or `text`.
    pub log_format: LogFormat,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: traces are exported over OTLP/gRPC when set.
    pub otlp_endpoint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl CommonSettings {
    pub fn from_env() -> anyhow::Result<Self> {
        let log_format = match env_or("CASELOG_LOG_FORMAT", "text").as_str() {
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            other => anyhow::bail!("CASELOG_LOG_FORMAT must be json or text, not {other:?}"),
        };
        Ok(Self {
            database_url: env_or(
                "CASELOG_DATABASE_URL",
                "postgres://caselog@127.0.0.1:55432/caselog",
            ),
            nats_url: env_or("CASELOG_NATS_URL", "nats://127.0.0.1:54222"),
            nats_user: std::env::var("CASELOG_NATS_USER")
                .ok()
                .filter(|v| !v.is_empty()),
            nats_password: std::env::var("CASELOG_NATS_PASSWORD").ok(),
            subject_root: env_or(
                "CASELOG_NATS_SUBJECT_ROOT",
                caselog_schemas::SubjectRoot::PRODUCTION,
            ),
            stream_name: env_or("CASELOG_NATS_STREAM", "CASELOG"),
            jwt_secret: env_or("CASELOG_JWT_SECRET", LOCAL_JWT_SECRET),
            log_format,
            otlp_endpoint: std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
                .ok()
                .filter(|v| !v.is_empty()),
        })
    }
}

/// A NATS user of the local stack (`deploy/nats/dev.conf`): name and password.
#[derive(Debug, Clone, Copy)]
pub struct LocalNatsUser(pub &'static str, pub &'static str);

impl LocalNatsUser {
    pub const RELAY: Self = Self("relay", "caselog-local-relay");
    pub const PROJECTION: Self = Self("projection", "caselog-local-projection");
    pub const QUERY: Self = Self("query", "caselog-local-query");
    pub const PROVISIONER: Self = Self("provisioner", "caselog-local-provisioner");
    pub const ANALYTICS: Self = Self("analytics", "caselog-local-analytics");
}

impl CommonSettings {
    /// The configured NATS user, or the service's user of the local stack.
    pub fn nats_credentials(&self, local: LocalNatsUser) -> (String, String) {
        match &self.nats_user {
            Some(user) => (user.clone(), self.nats_password.clone().unwrap_or_default()),
            None => (local.0.to_owned(), local.1.to_owned()),
        }
    }
}

/// Reads a listen address such as `CASELOG_COMMAND_ADDR`.
pub fn address_from_env(variable: &str, default: &str) -> anyhow::Result<SocketAddr> {
    let value = env_or(variable, default);
    value
        .parse()
        .map_err(|error| anyhow::anyhow!("{variable}={value:?} is not a socket address: {error}"))
}

pub fn env_or(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.to_owned())
}
