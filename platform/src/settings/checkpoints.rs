use std::time::Duration;

use super::{Environment, LOCAL_STACK, millis};

/// The local stack's checkpoint signing key (base64 of its 32-byte Ed25519 seed);
/// accepted only with `CASELOG_ENV=dev`.
pub const LOCAL_CHECKPOINT_KEY: &str = "Y2FzZWxvZy1sb2NhbC1kZXYtY2hlY2twb2ludC1rZXk=";

/// The public half of [`LOCAL_CHECKPOINT_KEY`], which the local stack's verifiers trust.
pub const LOCAL_CHECKPOINT_PUBLIC_KEY: &str = "t/icJlKUh9m+cPl9G5hgr/WuTs673OBqCQgYF7Va1WE=";

/// Signing checkpoints (the command service).
#[derive(Debug, Clone, clap::Args)]
pub struct CheckpointSigningSettings {
    /// The Ed25519 key checkpoints are signed with: base64 of its 32-byte seed
    /// (`command-service checkpoint-key` makes one). Required unless `CASELOG_ENV=dev`.
    #[arg(
        long,
        env = "CASELOG_CHECKPOINT_SIGNING_KEY",
        value_name = "CASELOG_CHECKPOINT_SIGNING_KEY",
        hide_env_values = true
    )]
    pub checkpoint_signing_key: Option<String>,
    /// How often each tenant whose log moved gets a signed checkpoint, in milliseconds.
    #[arg(long = "checkpoint-interval-ms", env = "CASELOG_CHECKPOINT_INTERVAL_MS",
        value_name = "CASELOG_CHECKPOINT_INTERVAL_MS", default_value = "60000", value_parser = millis)]
    pub checkpoint_interval: Duration,
}

impl CheckpointSigningSettings {
    /// The signing key's seed (base64): the configured one; in `dev`, the local
    /// stack's when none is. Outside `dev` one is required and the local one refused.
    pub fn signing_key(&self, environment: Environment) -> anyhow::Result<String> {
        match (&self.checkpoint_signing_key, environment) {
            (Some(key), Environment::Production) if key.trim() == LOCAL_CHECKPOINT_KEY => {
                anyhow::bail!(
                    "CASELOG_CHECKPOINT_SIGNING_KEY is the local stack's published key; set \
                     one of your own {LOCAL_STACK}"
                )
            }
            (Some(key), _) if !key.trim().is_empty() => Ok(key.trim().to_owned()),
            (_, Environment::Dev) => Ok(LOCAL_CHECKPOINT_KEY.to_owned()),
            _ => anyhow::bail!(
                "CASELOG_CHECKPOINT_SIGNING_KEY is required: the Ed25519 key checkpoints are \
                 signed with (`command-service checkpoint-key`) {LOCAL_STACK}"
            ),
        }
    }
}

/// Trusting checkpoints (the query service and its `verify`).
#[derive(Debug, Clone, clap::Args)]
pub struct CheckpointTrustSettings {
    /// The public keys whose checkpoints verification accepts, base64, comma-separated
    /// (the current key, and earlier ones whose checkpoints are still in the log).
    /// Required unless `CASELOG_ENV=dev`.
    #[arg(
        long,
        env = "CASELOG_CHECKPOINT_PUBLIC_KEYS",
        value_name = "CASELOG_CHECKPOINT_PUBLIC_KEYS"
    )]
    pub checkpoint_public_keys: Option<String>,
}

impl CheckpointTrustSettings {
    /// The trusted public keys (base64, comma-separated): the configured ones; in
    /// `dev`, the local stack's when none are.
    pub fn public_keys(&self, environment: Environment) -> anyhow::Result<String> {
        match (&self.checkpoint_public_keys, environment) {
            (Some(keys), Environment::Production) if keys.contains(LOCAL_CHECKPOINT_PUBLIC_KEY) => {
                anyhow::bail!(
                    "CASELOG_CHECKPOINT_PUBLIC_KEYS trusts the local stack's published key \
                     {LOCAL_STACK}"
                )
            }
            (Some(keys), _) if !keys.trim().is_empty() => Ok(keys.clone()),
            (_, Environment::Dev) => Ok(LOCAL_CHECKPOINT_PUBLIC_KEY.to_owned()),
            _ => anyhow::bail!(
                "CASELOG_CHECKPOINT_PUBLIC_KEYS is required: the public keys of the checkpoint \
                 signing keys {LOCAL_STACK}"
            ),
        }
    }
}
