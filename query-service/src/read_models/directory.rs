//! The directory read model: contacts, snippets, users.

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::TenantId;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Contact {
    pub id: Uuid,
    pub name: String,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub group_id: Option<Uuid>,
    pub auto_assign: Vec<Uuid>,
    pub visible_to: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Snippet {
    pub id: Uuid,
    pub name: String,
    pub text: String,
    pub theme: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub groups: Vec<Uuid>,
}

pub async fn contact(
    pool: &PgPool,
    tenant: TenantId,
    contact_id: Uuid,
) -> Result<Option<Contact>, sqlx::Error> {
    sqlx::query_as(
        "SELECT contact_id AS id, name, firstname, lastname, email, phone, country, group_id, \
                auto_assign, visible_to \
         FROM rm_directory.contacts WHERE tenant_id = $1 AND contact_id = $2",
    )
    .bind(tenant.0)
    .bind(contact_id)
    .fetch_optional(pool)
    .await
}

pub async fn snippets(
    pool: &PgPool,
    tenant: TenantId,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Snippet>, sqlx::Error> {
    sqlx::query_as(
        "SELECT snippet_id AS id, name, text, theme FROM rm_directory.snippets \
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR snippet_id > $2) \
         ORDER BY snippet_id LIMIT $3",
    )
    .bind(tenant.0)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn users(
    pool: &PgPool,
    tenant: TenantId,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id AS id, name, email, role, groups FROM rm_directory.users \
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR user_id > $2) \
         ORDER BY user_id LIMIT $3",
    )
    .bind(tenant.0)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}
