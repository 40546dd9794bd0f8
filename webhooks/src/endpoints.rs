//! The endpoints' table (`webhooks.endpoints`). An endpoint's signing secret is kept
//! wrapped by the key-encryption key, bound to the endpoint, as the log's data keys
//! are: a dump of the database holds no usable secret.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use caselog_eventlog::StreamRef;
use caselog_eventlog::erasure::kek::StoredKey;
use caselog_eventlog::erasure::{DataKey, Keyring};
use caselog_schemas::{StreamId, StreamType, TenantId};

use crate::signature::Secret;

/// An endpoint as its admins see it (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// Event type names, or `["*"]` for every type.
    pub event_types: Vec<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// What an endpoint is about to be.
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub created_by: Uuid,
}

/// What the dispatcher needs to fan an event out: whose, and which types.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_types: Vec<String>,
    /// Events recorded before are not sent to it.
    pub created_at: DateTime<Utc>,
}

/// Where and how to send a delivery.
pub struct Target {
    pub url: String,
    pub secret: Secret,
}

type EndpointRow = (Uuid, String, String, Vec<String>, Uuid, DateTime<Utc>);

fn endpoint((id, url, description, event_types, created_by, created_at): EndpointRow) -> Endpoint {
    Endpoint {
        id,
        url,
        description,
        event_types,
        created_by,
        created_at,
    }
}

const ENDPOINT_COLUMNS: &str = "id, url, description, event_types, created_by, created_at";

#[derive(Clone)]
pub struct Endpoints {
    pool: PgPool,
}

impl Endpoints {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Registers an endpoint with a new secret; the secret is returned this once.
    pub async fn create(
        &self,
        tenant: TenantId,
        new: NewEndpoint,
    ) -> sqlx::Result<(Endpoint, Secret)> {
        let id = Uuid::now_v7();
        let secret = Secret::generate();
        let keyring = Keyring::installed();
        let data_key = DataKey::from_bytes(secret.as_bytes()).expect("a secret is 32 bytes");
        let wrapped = keyring.wrap(&data_key, &bound_to(tenant.0, id));
        let row: EndpointRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO webhooks.endpoints \
             (id, tenant_id, url, description, event_types, secret_wrapped, kek_id, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ENDPOINT_COLUMNS}"
        )))
        .bind(id)
        .bind(tenant.0)
        .bind(&new.url)
        .bind(&new.description)
        .bind(&new.event_types)
        .bind(wrapped)
        .bind(keyring.current_id())
        .bind(new.created_by)
        .fetch_one(&self.pool)
        .await?;
        Ok((endpoint(row), secret))
    }

    pub async fn list(&self, tenant: TenantId) -> sqlx::Result<Vec<Endpoint>> {
        let rows: Vec<EndpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhooks.endpoints WHERE tenant_id = $1 ORDER BY created_at, id"
        )))
        .bind(tenant.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(endpoint).collect())
    }

    /// The tenant's endpoint `id`; `None` for another tenant's.
    pub async fn get(&self, tenant: TenantId, id: Uuid) -> sqlx::Result<Option<Endpoint>> {
        let row: Option<EndpointRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhooks.endpoints WHERE tenant_id = $1 AND id = $2"
        )))
        .bind(tenant.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(endpoint))
    }

    /// Deletes the tenant's endpoint and its deliveries; whether it existed.
    pub async fn delete(&self, tenant: TenantId, id: Uuid) -> sqlx::Result<bool> {
        let deleted =
            sqlx::query("DELETE FROM webhooks.endpoints WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.0)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(deleted.rows_affected() == 1)
    }

    /// The endpoints of `tenants`, for fanning their events out.
    pub async fn of_tenants(&self, tenants: &[Uuid]) -> sqlx::Result<Vec<Subscriber>> {
        let rows: Vec<(Uuid, Uuid, Vec<String>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT id, tenant_id, event_types, created_at FROM webhooks.endpoints \
             WHERE tenant_id = ANY($1)",
        )
        .bind(tenants)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, tenant_id, event_types, created_at)| Subscriber {
                id,
                tenant_id,
                event_types,
                created_at,
            })
            .collect())
    }

    /// Where endpoint `id` receives and the secret it is signed for; `None` once deleted.
    pub async fn target(&self, id: Uuid) -> anyhow::Result<Option<Target>> {
        let row: Option<(Uuid, String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT tenant_id, url, secret_wrapped, kek_id FROM webhooks.endpoints WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((tenant, url, wrapped, kek_id)) = row else {
            return Ok(None);
        };
        let stored = StoredKey {
            kek_id: Some(&kek_id),
            bytes: &wrapped,
        };
        let key = Keyring::installed().unwrap(stored, &bound_to(tenant, id))?;
        let secret = Secret::from_bytes(key.as_bytes()).expect("a data key is 32 bytes");
        Ok(Some(Target { url, secret }))
    }
}

/// What an endpoint's wrapped secret is bound to.
fn bound_to(tenant: Uuid, endpoint: Uuid) -> StreamRef {
    StreamRef {
        tenant_id: TenantId(tenant),
        stream_type: StreamType::new("webhook_endpoint").expect("a valid stream type name"),
        stream_id: StreamId(endpoint),
    }
}
