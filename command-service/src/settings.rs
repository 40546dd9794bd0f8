use std::net::SocketAddr;
use std::time::Duration;

use caselog_platform::CommonSettings;
use caselog_platform::settings::{
    CheckpointSigningSettings, Environment, LOCAL_CALLOUT_SEED, LOCAL_STACK, LimitSettings,
    LocalNatsUser, listen_address, millis,
};

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    #[command(flatten)]
    pub common: CommonSettings,
    #[command(flatten)]
    pub limits: LimitSettings,
    #[command(flatten)]
    pub checkpoints: CheckpointSigningSettings,
    #[command(flatten)]
    pub callout: CalloutSettings,
    #[command(flatten)]
    pub webhooks: caselog_webhooks::WebhookSettings,
    /// The command service's listen address.
    #[arg(long = "address", env = "CASELOG_COMMAND_ADDR",
        value_name = "CASELOG_COMMAND_ADDR", default_value = "127.0.0.1:8081", value_parser = listen_address)]
    pub address: SocketAddr,
    /// Run the relay task in this instance. Several instances may; one publishes at a time.
    #[arg(long, env = "CASELOG_RELAY_ENABLED",
        value_name = "CASELOG_RELAY_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub relay_enabled: bool,
    /// How often an idle auto-close worker looks for due conversations, in milliseconds.
    #[arg(long = "auto-close-poll-ms", env = "CASELOG_AUTO_CLOSE_POLL_MS",
        value_name = "CASELOG_AUTO_CLOSE_POLL_MS", default_value = "1000", value_parser = millis)]
    pub auto_close_poll: Duration,
}

/// The NATS auth callout that admits subscriptions' users (README "Subscribing to caselog
/// events"). The nats-server's `authorization.auth_callout` names the callout's user and
/// the public key of the seed below as its `issuer`.
#[derive(Debug, Clone, clap::Args)]
pub struct CalloutSettings {
    /// The account nkey seed (`SA…`) that signs the NATS JWTs of subscriptions' users
    /// (`command-service callout-key` makes one). Unset: no subscription can log in,
    /// except with `CASELOG_ENV=dev`, where the local stack's published key is used.
    #[arg(
        long = "nats-callout-seed",
        env = "CASELOG_NATS_CALLOUT_SEED",
        value_name = "CASELOG_NATS_CALLOUT_SEED",
        hide_env_values = true
    )]
    pub seed: Option<String>,
    /// The NATS user the callout logs in as (in the server's callout account).
    #[arg(
        long = "nats-callout-user",
        env = "CASELOG_NATS_CALLOUT_USER",
        value_name = "CASELOG_NATS_CALLOUT_USER",
        default_value = "callout"
    )]
    pub user: String,
    /// That user's password (the local stack's in `dev` when unset).
    #[arg(
        long = "nats-callout-password",
        env = "CASELOG_NATS_CALLOUT_PASSWORD",
        value_name = "CASELOG_NATS_CALLOUT_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    /// The NATS account the subscriptions' users are placed in: the stream's.
    #[arg(
        long = "nats-account",
        env = "CASELOG_NATS_ACCOUNT",
        value_name = "CASELOG_NATS_ACCOUNT",
        default_value = "CASELOG"
    )]
    pub account: String,
}

const LOCAL_CALLOUT_PASSWORD: &str = LocalNatsUser::CALLOUT.1;

/// What the callout runs with.
pub struct CalloutCredentials {
    pub issuer: nkeys::KeyPair,
    pub user: String,
    pub password: String,
}

impl CalloutSettings {
    /// The callout's key and login: the configured ones, the local stack's in `dev`, or
    /// `None` (subscriptions disabled) when no seed is set outside `dev`.
    pub fn credentials(
        &self,
        environment: Environment,
    ) -> anyhow::Result<Option<CalloutCredentials>> {
        let dev = environment == Environment::Dev;
        let seed = match self.seed.as_deref().filter(|seed| !seed.is_empty()) {
            Some(seed) if seed.trim() == LOCAL_CALLOUT_SEED && !dev => anyhow::bail!(
                "CASELOG_NATS_CALLOUT_SEED is the local stack's published key; make one with \
                 `command-service callout-key` {LOCAL_STACK}"
            ),
            Some(seed) => seed,
            None if dev => LOCAL_CALLOUT_SEED,
            None => return Ok(None),
        };
        let password = match self
            .password
            .as_deref()
            .filter(|password| !password.is_empty())
        {
            Some(LOCAL_CALLOUT_PASSWORD) if !dev => anyhow::bail!(
                "CASELOG_NATS_CALLOUT_PASSWORD is the local stack's published password; set one \
                 of your own {LOCAL_STACK}"
            ),
            Some(password) => password,
            None if dev => LOCAL_CALLOUT_PASSWORD,
            None => anyhow::bail!(
                "CASELOG_NATS_CALLOUT_PASSWORD is required with CASELOG_NATS_CALLOUT_SEED"
            ),
        };
        let issuer = nkeys::KeyPair::from_seed(seed.trim())
            .ok()
            .filter(|key| key.key_pair_type() == nkeys::KeyPairType::Account)
            .ok_or_else(|| {
                anyhow::anyhow!("CASELOG_NATS_CALLOUT_SEED is not an account nkey seed (SA…)")
            })?;
        Ok(Some(CalloutCredentials {
            issuer,
            user: self.user.clone(),
            password: password.to_owned(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use caselog_platform::settings::LOCAL_CALLOUT_ISSUER;

    use super::*;

    #[test]
    fn the_local_callout_key_is_the_issuer_the_local_nats_server_trusts() {
        let key = nkeys::KeyPair::from_seed(LOCAL_CALLOUT_SEED).unwrap();
        assert_eq!(key.public_key(), LOCAL_CALLOUT_ISSUER);
        let dev_conf = include_str!("../../deploy/nats/dev.conf");
        assert!(dev_conf.contains(&format!("issuer: {LOCAL_CALLOUT_ISSUER}")));
    }

    fn settings(seed: Option<&str>, password: Option<&str>) -> CalloutSettings {
        CalloutSettings {
            seed: seed.map(str::to_owned),
            user: "callout".to_owned(),
            password: password.map(str::to_owned),
            account: "CASELOG".to_owned(),
        }
    }

    #[test]
    fn outside_dev_the_callout_needs_a_key_and_password_of_its_own() {
        let production = Environment::Production;
        assert!(
            settings(None, None)
                .credentials(production)
                .unwrap()
                .is_none()
        );
        assert!(
            settings(Some(LOCAL_CALLOUT_SEED), Some("mine"))
                .credentials(production)
                .is_err()
        );
        let own = nkeys::KeyPair::new_account().seed().unwrap();
        assert!(settings(Some(&own), None).credentials(production).is_err());
        assert!(
            settings(Some(&own), Some(LOCAL_CALLOUT_PASSWORD))
                .credentials(production)
                .is_err()
        );
        let user_seed = nkeys::KeyPair::new_user().seed().unwrap();
        assert!(
            settings(Some(&user_seed), Some("mine"))
                .credentials(production)
                .is_err()
        );
        let credentials = settings(Some(&own), Some("mine"))
            .credentials(production)
            .unwrap()
            .unwrap();
        assert_eq!(credentials.password, "mine");
        let dev = settings(None, None)
            .credentials(Environment::Dev)
            .unwrap()
            .unwrap();
        assert_eq!(dev.issuer.public_key(), LOCAL_CALLOUT_ISSUER);
    }
}
