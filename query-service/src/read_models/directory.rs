//! The directory read model: contacts, snippets, users, the tenant's settings, the
//! files library.

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::events::TenantSettings;
use caselog_schemas::{Role, TenantId};

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

/// A search in the directory: `q` in a name, an email or a phone number
/// (case-insensitive; a phone matches on its digits).
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub q: Option<String>,
}

impl Search {
    /// `q` as a `LIKE` pattern matching it anywhere, its wildcards taken literally.
    fn pattern(&self) -> Option<String> {
        let q = self.q.as_deref()?.trim();
        if q.is_empty() {
            return None;
        }
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        Some(format!("%{escaped}%"))
    }

    /// The digits of `q` when it holds at least three (a phone number being searched).
    fn digits(&self) -> Option<String> {
        let digits: String = self
            .q
            .as_deref()?
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        (digits.len() >= 3).then(|| format!("%{digits}%"))
    }
}

/// The tenant's users matching `search` and `role`, by id after `after`.
pub async fn users(
    pool: &PgPool,
    tenant: TenantId,
    search: &Search,
    role: Option<Role>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id AS id, name, email, role, groups FROM rm_directory.users \
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR user_id > $2) \
           AND ($4::text IS NULL OR name ILIKE $4 OR email ILIKE $4) \
           AND ($5::text IS NULL OR role = $5) \
         ORDER BY user_id LIMIT $3",
    )
    .bind(tenant.0)
    .bind(after)
    .bind(limit)
    .bind(search.pattern())
    .bind(role.map(Role::as_str))
    .fetch_all(pool)
    .await
}

/// The tenant's contacts matching `search`, by id after `after`.
pub async fn contacts(
    pool: &PgPool,
    tenant: TenantId,
    search: &Search,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Contact>, sqlx::Error> {
    sqlx::query_as(include_str!("sql/contacts.sql"))
        .bind(tenant.0)
        .bind(after)
        .bind(limit)
        .bind(search.pattern())
        .bind(search.digits())
        .fetch_all(pool)
        .await
}

/// The tenant's settings; the defaults until an admin changes them.
pub async fn settings(pool: &PgPool, tenant: TenantId) -> Result<TenantSettings, sqlx::Error> {
    let stored: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT settings FROM rm_directory.settings WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_optional(pool)
            .await?;
    match stored {
        None => Ok(TenantSettings::default()),
        Some(value) => {
            serde_json::from_value(value).map_err(|error| sqlx::Error::Decode(error.into()))
        }
    }
}

/// A file of the library: at `url`, or uploaded (its content at `content_url`).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct LibraryFile {
    pub id: Uuid,
    pub name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Where a linked file is; null for an uploaded one.
    pub url: Option<String>,
    /// The SHA-256 of an uploaded file's content.
    pub sha256: Option<String>,
}

/// The library's files, by id after `after`.
pub async fn files(
    pool: &PgPool,
    tenant: TenantId,
    search: &Search,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<LibraryFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT file_id AS id, name, media_type, size_bytes, url, sha256 FROM rm_directory.files \
         WHERE tenant_id = $1 AND ($2::uuid IS NULL OR file_id > $2) \
           AND ($4::text IS NULL OR name ILIKE $4) \
         ORDER BY file_id LIMIT $3",
    )
    .bind(tenant.0)
    .bind(after)
    .bind(limit)
    .bind(search.pattern())
    .fetch_all(pool)
    .await
}

/// One file of the library.
pub async fn file(
    pool: &PgPool,
    tenant: TenantId,
    file_id: Uuid,
) -> Result<Option<LibraryFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT file_id AS id, name, media_type, size_bytes, url, sha256 FROM rm_directory.files \
         WHERE tenant_id = $1 AND file_id = $2",
    )
    .bind(tenant.0)
    .bind(file_id)
    .fetch_optional(pool)
    .await
}
