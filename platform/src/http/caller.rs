//! The authenticated caller: user, tenant and role from a verified bearer token. The
//! tenant comes from the token only; no route takes it from the path or the body.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use caselog_schemas::{Role, TenantId, UserId};

use super::problem::{Problem, ProblemType};
use crate::token::{TokenError, TokenVerifier};

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

/// The outcome of reading the bearer token, left in the request's extensions by the
/// limits layer so handlers do not verify the token a second time.
#[derive(Clone)]
pub(super) struct Authentication(pub(super) Result<Caller, Problem>);

impl<S> FromRequestParts<S> for Caller
where
    TokenVerifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(Authentication(outcome)) = parts.extensions.get::<Authentication>() {
            return outcome.clone();
        }
        authenticate(&parts.headers, &TokenVerifier::from_ref(state)).await
    }
}

/// The caller a request's bearer token names, once the token is verified.
pub(super) async fn authenticate(
    headers: &axum::http::HeaderMap,
    verifier: &TokenVerifier,
) -> Result<Caller, Problem> {
    let unauthorized = |detail: &str| Problem::new(ProblemType::Unauthorized, detail);
    let header = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("send Authorization: Bearer <token>"))?;
    let bearer = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?;
    let claims = match verifier.verify(bearer.trim()).await {
        Ok(claims) => claims,
        Err(TokenError::Invalid(why)) => {
            tracing::debug!(%why, "token refused");
            return Err(unauthorized("the token is invalid or expired"));
        }
        Err(TokenError::KeysUnavailable(_)) => {
            return Err(Problem::unavailable(
                "the identity provider's keys cannot be fetched; try again shortly",
            ));
        }
    };
    Ok(Caller {
        tenant_id: TenantId(claims.tenant),
        user_id: UserId(claims.sub),
        role: claims.role,
        expires_at: claims.exp,
    })
}
