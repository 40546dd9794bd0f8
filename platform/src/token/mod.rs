//! Access tokens: JWTs with `sub`, `tenant`, `role` and a required `exp`
//! (docs/production.md "Access tokens"), signed either with the deployment's HS256 key or by an identity provider
//! whose keys (RS256, ES256) are fetched from its JWKS address and chosen by `kid`.
//!
//! The algorithm a token names only selects among the keys configured for it: an HS256
//! token is checked with the HS256 key alone, an RS256 or ES256 one with a provider key
//! of that very algorithm, so a token can neither choose `none` nor have an RSA public
//! key used as an HMAC secret.

mod key_set;

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use caselog_schemas::Role;

use crate::settings::TokenSettings;
use key_set::KeySet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    pub tenant: Uuid,
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Forged, expired, for another audience or issuer, or of a kind not accepted: 401.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The identity provider's keys could not be fetched and none are cached: 503.
    #[error("the identity provider's keys are unavailable: {0}")]
    KeysUnavailable(String),
}

impl From<jsonwebtoken::errors::Error> for TokenError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        Self::Invalid(error.to_string())
    }
}

/// Signs an HS256 token valid for `valid_for` (the `token` subcommand, tests).
pub fn mint(
    secret: &str,
    user: Uuid,
    tenant: Uuid,
    role: Role,
    valid_for: chrono::Duration,
) -> String {
    mint_for(secret, None, None, user, tenant, role, valid_for)
}

/// Signs an HS256 token carrying `iss` and `aud` when the deployment requires them.
pub fn mint_for(
    secret: &str,
    issuer: Option<&str>,
    audience: Option<&str>,
    user: Uuid,
    tenant: Uuid,
    role: Role,
    valid_for: chrono::Duration,
) -> String {
    #[derive(Serialize)]
    struct Minted<'a> {
        #[serde(flatten)]
        claims: Claims,
        #[serde(skip_serializing_if = "Option::is_none")]
        iss: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        aud: Option<&'a str>,
    }
    let minted = Minted {
        claims: Claims {
            sub: user,
            tenant,
            role,
            exp: (chrono::Utc::now() + valid_for).timestamp(),
        },
        iss: issuer,
        aud: audience,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &minted,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signing with a byte key cannot fail")
}

/// Verifies bearer tokens against the configured keys; cheap to clone.
#[derive(Clone)]
pub struct TokenVerifier(Arc<Verifier>);

struct Verifier {
    secret: Option<DecodingKey>,
    provider: Option<KeySet>,
    issuer: Option<String>,
    audience: Option<String>,
}

impl TokenVerifier {
    /// `secret` is the HS256 key, if any (the local stack's in `dev`).
    pub fn new(settings: &TokenSettings, secret: Option<&str>) -> anyhow::Result<Self> {
        let provider = match &settings.jwks_url {
            Some(url) => Some(KeySet::new(
                url.clone(),
                settings.jwks_refresh,
                settings.jwks_min_refetch,
            )?),
            None => None,
        };
        Ok(Self(Arc::new(Verifier {
            secret: secret.map(|secret| DecodingKey::from_secret(secret.as_bytes())),
            provider,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
        })))
    }

    /// An HS256-only verifier (unit tests, tools).
    pub fn from_secret(secret: &str) -> Self {
        Self::new(&TokenSettings::default(), Some(secret)).expect("no key set to fetch")
    }

    /// Checks the signature, the expiry, `iss` and `aud` when configured, and the
    /// claims' shape.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let verifier = &self.0;
        let header = jsonwebtoken::decode_header(token)?;
        let key = match header.alg {
            Algorithm::HS256 => verifier
                .secret
                .clone()
                .ok_or_else(|| TokenError::Invalid("HS256 tokens are not accepted".into()))?,
            Algorithm::RS256 | Algorithm::ES256 => {
                let provider = verifier.provider.as_ref().ok_or_else(|| {
                    TokenError::Invalid("no identity provider is configured".into())
                })?;
                let kid = header
                    .kid
                    .as_deref()
                    .ok_or_else(|| TokenError::Invalid("the token names no kid".into()))?;
                provider.key(kid, header.alg).await?
            }
            other => {
                return Err(TokenError::Invalid(format!("{other:?} is not accepted")));
            }
        };
        let mut validation = Validation::new(header.alg);
        let mut required = vec!["exp", "sub"];
        validation.leeway = 0;
        if let Some(issuer) = &verifier.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &verifier.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        Ok(jsonwebtoken::decode::<Claims>(token, &key, &validation)?.claims)
    }
}

#[cfg(test)]
mod tests;
