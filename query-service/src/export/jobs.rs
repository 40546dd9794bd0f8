//! Bulk export jobs (table `exports.jobs`): requested, then built in the background
//! with their progress written after each case, then downloadable. Any query-service
//! instance answers for any job; one that restarts marks its unfinished jobs failed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_eventlog::LogReader;
use caselog_schemas::TenantId;

use super::ExportKind;
use super::bulk::{self, Period};

/// A job as its requester sees it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ExportJob {
    pub export_id: Uuid,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub kind: String,
    pub cases_total: i32,
    pub cases_done: i32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The ZIP's size and SHA-256, once done.
    pub zip_bytes: Option<i64>,
    pub zip_sha256: Option<String>,
}

const COLUMNS: &str = "export_id, status, period_from, period_to, kind, cases_total, \
    cases_done, error, created_at, finished_at, zip_bytes, zip_sha256";

pub async fn create(
    pool: &PgPool,
    export_id: Uuid,
    tenant_id: TenantId,
    requested_by: Uuid,
    period: Period,
    kind: ExportKind,
    cases: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO exports.jobs (export_id, tenant_id, requested_by, period_from, period_to, \
         kind, status, cases_total) VALUES ($1, $2, $3, $4, $5, $6, 'running', $7)",
    )
    .bind(export_id)
    .bind(tenant_id.0)
    .bind(requested_by)
    .bind(period.from)
    .bind(period.to)
    .bind(kind.as_str())
    .bind(cases as i32)
    .execute(pool)
    .await
    .map(|_| ())
}

/// The tenant's job `export_id`.
pub async fn get(
    pool: &PgPool,
    tenant_id: TenantId,
    export_id: Uuid,
) -> Result<Option<ExportJob>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM exports.jobs WHERE tenant_id = $1 AND export_id = $2"
    )))
    .bind(tenant_id.0)
    .bind(export_id)
    .fetch_optional(pool)
    .await
}

/// The finished ZIP of the tenant's job `export_id`.
pub async fn zip(
    pool: &PgPool,
    tenant_id: TenantId,
    export_id: Uuid,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let zip: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT zip FROM exports.jobs WHERE tenant_id = $1 AND export_id = $2")
            .bind(tenant_id.0)
            .bind(export_id)
            .fetch_optional(pool)
            .await?;
    Ok(zip.flatten())
}

/// Jobs left running by an instance that stopped will never finish: they fail, and
/// their requesters ask again.
pub async fn fail_interrupted(pool: &PgPool) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "UPDATE exports.jobs SET status = 'failed', finished_at = now(), \
         error = 'the query service stopped while it ran; request the export again' \
         WHERE status = 'running' AND updated_at < now() - interval '1 minute'",
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected())
}

/// Builds job `export_id` of `cases` and stores the result (or the failure).
pub async fn run(
    pool: PgPool,
    reader: LogReader,
    tenant_id: TenantId,
    export_id: Uuid,
    period: Period,
    kind: ExportKind,
    cases: Vec<Uuid>,
) {
    let (progress, mut done) = tokio::sync::watch::channel(0);
    let recording = async {
        while done.changed().await.is_ok() {
            let cases_done = *done.borrow_and_update() as i32;
            let updated = sqlx::query(
                "UPDATE exports.jobs SET cases_done = $2, updated_at = now() \
                 WHERE export_id = $1",
            )
            .bind(export_id)
            .bind(cases_done)
            .execute(&pool)
            .await;
            if let Err(error) = updated {
                tracing::warn!(%export_id, %error, "could not record an export's progress");
            }
        }
    };
    // The recorder ends when the builder drops the sender, after the last case.
    let (built, ()) = tokio::join!(
        async move {
            let built = bulk::build(&reader, tenant_id, period, kind, &cases, &progress).await;
            drop(progress);
            built
        },
        recording
    );
    let stored =
        match built {
            Ok(zip) => sqlx::query(
                "UPDATE exports.jobs SET status = 'done', finished_at = now(), updated_at = now(), \
             zip = $2, zip_bytes = $3, zip_sha256 = $4 WHERE export_id = $1",
            )
            .bind(export_id)
            .bind(&zip)
            .bind(zip.len() as i64)
            .bind(hex::encode(Sha256::digest(&zip)))
            .execute(&pool)
            .await,
            Err(error) => {
                tracing::warn!(%export_id, error = %error, "a bulk export failed");
                sqlx::query(
                    "UPDATE exports.jobs SET status = 'failed', finished_at = now(), \
                 updated_at = now(), error = $2 WHERE export_id = $1",
                )
                .bind(export_id)
                .bind(error.to_string())
                .execute(&pool)
                .await
            }
        };
    if let Err(error) = stored {
        tracing::warn!(%export_id, %error, "could not store a bulk export's outcome");
    }
}
