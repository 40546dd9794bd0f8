//! The authenticated caller: user, tenant and role from a verified bearer token. The
//! tenant comes from the token only; no route takes it from the path or the body.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use caselog_schemas::{Role, TenantId, UserId};

use super::problem::{Problem, ProblemType};
use crate::token;

/// The key tokens are verified with (`CASELOG_JWT_SECRET`).
#[derive(Clone)]
pub struct TokenKey(Arc<str>);

impl TokenKey {
    pub fn new(secret: &str) -> Self {
        Self(Arc::from(secret))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub role: Role,
    /// When the token expires (seconds since the epoch): a long-lived response, such
    /// as an event stream, ends then.
    pub expires_at: i64,
}

impl Caller {
    /// How long until the token expires (zero once it has).
    pub fn time_left(&self) -> std::time::Duration {
        let left = self.expires_at - chrono::Utc::now().timestamp();
        std::time::Duration::from_secs(left.max(0) as u64)
    }
}

impl Caller {
    /// Refuses the request unless the caller has one of `roles`.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), Problem> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    TokenKey: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let unauthorized = |detail: &str| Problem::new(ProblemType::Unauthorized, detail);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send Authorization: Bearer <token>"))?;
        let bearer = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?;
        let key = TokenKey::from_ref(state);
        let claims = token::verify(&key.0, bearer.trim())
            .map_err(|_| unauthorized("the token is invalid or expired"))?;
        Ok(Caller {
            tenant_id: TenantId(claims.tenant),
            user_id: UserId(claims.sub),
            role: claims.role,
            expires_at: claims.exp,
        })
    }
}
