//! The files library's uploaded objects, beside the log: bytes too large for an event
//! are stored once under the file's id and named in the event by their SHA-256.

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use caselog_schemas::TenantId;

use crate::error::ReadError;

/// Why an object was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The id already holds other bytes: an object is written once.
    #[error("file {0} already holds other content")]
    Taken(Uuid),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct FileObjects {
    pool: PgPool,
}

impl FileObjects {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Stores `content` as the file `file_id` and answers its SHA-256 (hex). Storing
    /// the same bytes again answers the same hash; other bytes are refused.
    pub async fn put(
        &self,
        tenant_id: TenantId,
        file_id: Uuid,
        content: &[u8],
    ) -> Result<String, StoreError> {
        let sha256 = hex::encode(Sha256::digest(content));
        sqlx::query(
            "INSERT INTO eventlog.file_objects (tenant_id, file_id, sha256, content) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(tenant_id.0)
        .bind(file_id)
        .bind(&sha256)
        .bind(content)
        .execute(&self.pool)
        .await?;
        let stored: String = sqlx::query_scalar(
            "SELECT sha256 FROM eventlog.file_objects WHERE tenant_id = $1 AND file_id = $2",
        )
        .bind(tenant_id.0)
        .bind(file_id)
        .fetch_one(&self.pool)
        .await?;
        if stored == sha256 {
            Ok(sha256)
        } else {
            Err(StoreError::Taken(file_id))
        }
    }

    /// The bytes of the file `file_id` of the tenant, if any were stored.
    pub async fn get(
        &self,
        tenant_id: TenantId,
        file_id: Uuid,
    ) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(sqlx::query_scalar(
            "SELECT content FROM eventlog.file_objects WHERE tenant_id = $1 AND file_id = $2",
        )
        .bind(tenant_id.0)
        .bind(file_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
