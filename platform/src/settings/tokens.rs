//! How access tokens are verified (`CASELOG_JWT_*`, `CASELOG_JWKS_*`).

use std::time::Duration;

use super::{LOCAL_JWT_SECRET, LOCAL_STACK, millis};

/// How access tokens are verified: an HS256 key of the deployment's own, an identity
/// provider's published keys (RS256 and ES256, chosen by `kid`), or both.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TokenSettings {
    /// HS256 key for access tokens, at least 32 bytes. Required unless
    /// `CASELOG_JWKS_URL` is set or `CASELOG_ENV=dev`.
    #[arg(
        long,
        env = "CASELOG_JWT_SECRET",
        value_name = "CASELOG_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// An identity provider's JWKS address (Keycloak, Auth0, Entra ID): RS256 and ES256
    /// tokens are verified against its keys, chosen by the token's `kid`.
    #[arg(long, env = "CASELOG_JWKS_URL", value_name = "CASELOG_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// Required `iss` claim; required setting when `CASELOG_JWKS_URL` is set.
    #[arg(long, env = "CASELOG_JWT_ISSUER", value_name = "CASELOG_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim (one of the token's audiences); required setting when
    /// `CASELOG_JWKS_URL` is set.
    #[arg(
        long,
        env = "CASELOG_JWT_AUDIENCE",
        value_name = "CASELOG_JWT_AUDIENCE"
    )]
    pub jwt_audience: Option<String>,
    /// How long fetched keys are used before they are fetched again (ms).
    #[arg(long, env = "CASELOG_JWKS_REFRESH_MS", value_name = "CASELOG_JWKS_REFRESH_MS",
        value_parser = millis, default_value = "300000")]
    pub jwks_refresh: Duration,
    /// A token naming a `kid` not among the keys fetches them again, at most this often
    /// (ms): the provider has rotated, or the token is forged.
    #[arg(long, env = "CASELOG_JWKS_MIN_REFETCH_MS", value_name = "CASELOG_JWKS_MIN_REFETCH_MS",
        value_parser = millis, default_value = "10000")]
    pub jwks_min_refetch: Duration,
}

/// An HS256 key shorter than this is guessable offline from any token it signed.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

impl TokenSettings {
    pub(super) fn check(&self) -> anyhow::Result<()> {
        let secret = self
            .jwt_secret
            .as_deref()
            .filter(|secret| !secret.is_empty());
        match (secret, &self.jwks_url) {
            (None, None) => anyhow::bail!(
                "CASELOG_JWT_SECRET is required: the key that signs access tokens (or \
                 CASELOG_JWKS_URL, an identity provider's keys) {LOCAL_STACK}"
            ),
            (Some(LOCAL_JWT_SECRET), _) => anyhow::bail!(
                "CASELOG_JWT_SECRET is the local stack's published key; set a secret of your own \
                 {LOCAL_STACK}"
            ),
            (Some(secret), _) if secret.len() < MIN_JWT_SECRET_BYTES => anyhow::bail!(
                "CASELOG_JWT_SECRET is {} bytes; it must be at least {MIN_JWT_SECRET_BYTES} \
                 (e.g. `openssl rand -base64 48`)",
                secret.len()
            ),
            _ => {}
        }
        if self.jwks_url.is_some() {
            // Without them any token the provider signed for another application of
            // the same realm would be accepted.
            if self.jwt_issuer.is_none() || self.jwt_audience.is_none() {
                anyhow::bail!(
                    "CASELOG_JWT_ISSUER and CASELOG_JWT_AUDIENCE are required with CASELOG_JWKS_URL"
                );
            }
        }
        Ok(())
    }
}
