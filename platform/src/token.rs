//! Access tokens: HS256 JWTs with `sub`, `tenant`, `role` and a required `exp`
//! (API.md "Auth"). The algorithm is pinned so a token cannot choose its own.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use caselog_schemas::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    pub tenant: Uuid,
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid token: {0}")]
pub struct InvalidToken(#[from] jsonwebtoken::errors::Error);

/// Signs a token valid for `valid_for`.
pub fn mint(
    secret: &str,
    user: Uuid,
    tenant: Uuid,
    role: Role,
    valid_for: chrono::Duration,
) -> String {
    let claims = Claims {
        sub: user,
        tenant,
        role,
        exp: (chrono::Utc::now() + valid_for).timestamp(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signing with a byte key cannot fail")
}

/// Checks the signature (HS256 only), the expiry, and the claims' shape.
pub fn verify(secret: &str, token: &str) -> Result<Claims, InvalidToken> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )?;
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_with_the_same_key_only() {
        let (user, tenant) = (Uuid::now_v7(), Uuid::now_v7());
        let token = mint("key", user, tenant, Role::Agent, chrono::Duration::hours(1));
        let claims = verify("key", &token).unwrap();
        assert_eq!(
            (claims.sub, claims.tenant, claims.role),
            (user, tenant, Role::Agent)
        );
        assert!(verify("other key", &token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let token = mint(
            "key",
            Uuid::now_v7(),
            Uuid::now_v7(),
            Role::Admin,
            chrono::Duration::seconds(-5),
        );
        assert!(verify("key", &token).is_err());
    }

    #[test]
    fn a_token_without_expiry_is_refused() {
        #[derive(Serialize)]
        struct NoExpiry {
            sub: Uuid,
            tenant: Uuid,
            role: Role,
        }
        let claims = NoExpiry {
            sub: Uuid::now_v7(),
            tenant: Uuid::now_v7(),
            role: Role::Owner,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"key"),
        )
        .unwrap();
        assert!(verify("key", &token).is_err());
    }

    #[test]
    fn a_token_signed_with_another_algorithm_is_refused() {
        let claims = Claims {
            sub: Uuid::now_v7(),
            tenant: Uuid::now_v7(),
            role: Role::Owner,
            exp: i64::MAX / 2,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(b"key"),
        )
        .unwrap();
        assert!(verify("key", &token).is_err());
    }
}
