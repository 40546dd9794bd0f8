//! The subscriptions' table (`commands.subscriptions`): each one's scope and the hash of
//! its NATS password. The password itself is shown once, when the subscription is made.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use caselog_schemas::TenantId;

use super::{Scope, Subscription, SubscriptionName};

#[derive(Clone)]
pub struct SubscriptionStore {
    pool: PgPool,
}

/// A subscription just made, with the only copy of its password.
pub struct NewSubscription {
    pub subscription: Subscription,
    pub password: String,
}

impl SubscriptionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records a new subscription with a new random password; `None` if the name is taken.
    pub async fn add(
        &self,
        name: &SubscriptionName,
        scope: Scope,
    ) -> sqlx::Result<Option<NewSubscription>> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let password = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        let created: Option<(chrono::DateTime<chrono::Utc>,)> = sqlx::query_as(
            "INSERT INTO commands.subscriptions (name, tenant_id, password_sha256) \
             VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING created_at",
        )
        .bind(name)
        .bind(scope.tenant().map(|tenant| tenant.0))
        .bind(Sha256::digest(password.as_bytes()).to_vec())
        .fetch_optional(&self.pool)
        .await?;
        Ok(created.map(|(created_at,)| NewSubscription {
            subscription: Subscription {
                name: name.clone(),
                tenant: scope.tenant(),
                created_at,
            },
            password,
        }))
    }

    /// Forgets a subscription; whether it existed.
    pub async fn remove(&self, name: &SubscriptionName) -> sqlx::Result<bool> {
        let removed = sqlx::query("DELETE FROM commands.subscriptions WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(removed.rows_affected() == 1)
    }

    pub async fn list(&self) -> sqlx::Result<Vec<Subscription>> {
        let rows: Vec<(String, Option<uuid::Uuid>, chrono::DateTime<chrono::Utc>)> =
            sqlx::query_as(
                "SELECT name, tenant_id, created_at FROM commands.subscriptions ORDER BY name",
            )
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, tenant, created_at)| {
                Some(Subscription {
                    name: name.parse().ok()?,
                    tenant: tenant.map(TenantId),
                    created_at,
                })
            })
            .collect())
    }

    /// Whether `password` is the subscription's; `None` if there is no such subscription.
    pub async fn check_password(
        &self,
        name: &SubscriptionName,
        password: &str,
    ) -> sqlx::Result<Option<bool>> {
        let stored: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT password_sha256 FROM commands.subscriptions WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(stored.map(|(hash,)| {
            let offered = Sha256::digest(password.as_bytes());
            // Constant time: the comparison must not tell how much of a guess was right.
            hash.len() == offered.len()
                && hash
                    .iter()
                    .zip(offered.iter())
                    .fold(0u8, |difference, (a, b)| difference | (a ^ b))
                    == 0
        }))
    }
}
