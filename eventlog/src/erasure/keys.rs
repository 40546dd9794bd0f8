//! The key store: `eventlog.stream_keys`, one row per stream that has ever held
//! personal data. An erased stream keeps its row with the key destroyed (NULL), so no
//! later append can give it a new key.
//!
//! Keys are stored wrapped by the key-encryption key ([`super::kek`]) and read per use,
//! never cached: a process that kept a key in memory would still open a stream after
//! another process erased it.

use std::collections::HashMap;

use sqlx::{PgExecutor, PgPool, Row};
use uuid::Uuid;

use caselog_schemas::{StreamId, StreamType, TenantId};

use super::kek::{Keyring, StoredKey};
use super::seal::DataKey;
use crate::model::StreamRef;

#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    /// The stream was erased: nothing personal may be written to it again.
    #[error("stream {0} was erased")]
    Erased(StreamId),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct StreamKeys {
    pool: PgPool,
}

impl StreamKeys {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The stream's key, created on first use; refused for an erased stream. One round
    /// trip: the insert returns the key it created, or the select the one already there.
    pub async fn key_for_sealing(&self, stream: &StreamRef) -> Result<DataKey, ErasureError> {
        let keyring = Keyring::installed();
        // Another transaction may create the key between this statement's snapshot and
        // its insert: then neither half returns a row, and a second try reads the key.
        for _ in 0..2 {
            let created = DataKey::generate();
            let row: Option<(Option<Vec<u8>>, Option<String>)> =
                sqlx::query_as(include_str!("sql/key_for_sealing.sql"))
                    .bind(stream.tenant_id.0)
                    .bind(stream.stream_type.as_str())
                    .bind(stream.stream_id.0)
                    .bind(keyring.wrap(&created, stream))
                    .bind(keyring.current_id())
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((key, kek_id)) = row {
                let Some(bytes) = key else {
                    return Err(ErasureError::Erased(stream.stream_id));
                };
                let stored = StoredKey {
                    kek_id: kek_id.as_deref(),
                    bytes: &bytes,
                };
                return keyring
                    .unwrap(stored, stream)
                    .map_err(|error| ErasureError::Database(sqlx::Error::Decode(Box::new(error))));
            }
        }
        Err(ErasureError::Database(sqlx::Error::RowNotFound))
    }

    /// A key for each of many new streams, stored wrapped in one statement per 10,000
    /// (loading a large history at once: the benchmarks' seed). A stream that already
    /// has a row keeps it and is left out of the answer.
    pub async fn create_many(
        &self,
        streams: &[StreamRef],
    ) -> Result<HashMap<StreamRef, DataKey>, sqlx::Error> {
        let keyring = Keyring::installed();
        let mut created = HashMap::with_capacity(streams.len());
        for chunk in streams.chunks(10_000) {
            let keys: Vec<DataKey> = chunk.iter().map(|_| DataKey::generate()).collect();
            let tenants: Vec<Uuid> = chunk.iter().map(|s| s.tenant_id.0).collect();
            let types: Vec<&str> = chunk.iter().map(|s| s.stream_type.as_str()).collect();
            let ids: Vec<Uuid> = chunk.iter().map(|s| s.stream_id.0).collect();
            let wrapped: Vec<Vec<u8>> = chunk
                .iter()
                .zip(&keys)
                .map(|(stream, key)| keyring.wrap(key, stream))
                .collect();
            let inserted: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
                "INSERT INTO eventlog.stream_keys (tenant_id, stream_type, stream_id, key, kek_id) \
                 SELECT t, s, i, k, $5 FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::bytea[]) \
                   AS new(t, s, i, k) \
                 ON CONFLICT DO NOTHING RETURNING tenant_id, stream_type, stream_id",
            )
            .bind(&tenants)
            .bind(&types)
            .bind(&ids)
            .bind(&wrapped)
            .bind(keyring.current_id())
            .fetch_all(&self.pool)
            .await?;
            let inserted: std::collections::HashSet<(Uuid, String, Uuid)> =
                inserted.into_iter().collect();
            for (stream, key) in chunk.iter().zip(keys) {
                let row = (
                    stream.tenant_id.0,
                    stream.stream_type.as_str().to_owned(),
                    stream.stream_id.0,
                );
                if inserted.contains(&row) {
                    created.insert(stream.clone(), key);
                }
            }
        }
        Ok(created)
    }

    /// Wraps every live data key not yet wrapped by the current KEK (stored before
    /// wrapping, or by a previous KEK) with the current one, `batch` at a time; returns
    /// how many it wrapped. Safe to run while the services run, and to run again.
    pub async fn rewrap(&self, batch: i64) -> Result<u64, sqlx::Error> {
        let keyring = Keyring::installed();
        let mut rewrapped = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let rows: Vec<KeyRow> = sqlx::query_as(
                "SELECT tenant_id, stream_type, stream_id, key, kek_id FROM eventlog.stream_keys \
                 WHERE key IS NOT NULL AND kek_id IS DISTINCT FROM $1 \
                 LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind(keyring.current_id())
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                return Ok(rewrapped);
            }
            for KeyRow {
                tenant_id,
                stream_type,
                stream_id,
                key: bytes,
                kek_id,
            } in rows
            {
                let Ok(stream_type) = StreamType::new(stream_type) else {
                    continue;
                };
                let stream = StreamRef {
                    tenant_id: TenantId(tenant_id),
                    stream_type,
                    stream_id: StreamId(stream_id),
                };
                let stored = StoredKey {
                    kek_id: kek_id.as_deref(),
                    bytes: &bytes,
                };
                let key = keyring
                    .unwrap(stored, &stream)
                    .map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
                sqlx::query(
                    "UPDATE eventlog.stream_keys SET key = $4, kek_id = $5 \
                     WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3",
                )
                .bind(tenant_id)
                .bind(stream.stream_type.as_str())
                .bind(stream_id)
                .bind(keyring.wrap(&key, &stream))
                .bind(keyring.current_id())
                .execute(&mut *tx)
                .await?;
                rewrapped += 1;
            }
            tx.commit().await?;
        }
    }

    /// True once the stream's key was destroyed.
    pub async fn is_erased(&self, stream: &StreamRef) -> Result<bool, sqlx::Error> {
        let erased: Option<bool> = sqlx::query_scalar(
            "SELECT key IS NULL FROM eventlog.stream_keys \
             WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3",
        )
        .bind(stream.tenant_id.0)
        .bind(stream.stream_type.as_str())
        .bind(stream.stream_id.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(erased.unwrap_or(false))
    }

    /// The live keys of these streams; an erased (or never keyed) stream is absent.
    pub async fn keys_of(
        &self,
        streams: &[&StreamRef],
    ) -> Result<HashMap<StreamRef, DataKey>, sqlx::Error> {
        keys_of(&self.pool, streams).await
    }
}

/// [`StreamKeys::keys_of`] on any connection, so a projector reads keys inside the
/// transaction it applies events in.
pub async fn keys_of<'e>(
    executor: impl PgExecutor<'e>,
    streams: &[&StreamRef],
) -> Result<HashMap<StreamRef, DataKey>, sqlx::Error> {
    if streams.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT k.tenant_id, k.stream_type, k.stream_id, k.key, k.kek_id FROM eventlog.stream_keys k \
         JOIN unnest($1::uuid[], $2::text[], $3::uuid[]) AS s(tenant_id, stream_type, stream_id) \
           ON k.tenant_id = s.tenant_id AND k.stream_type = s.stream_type AND k.stream_id = s.stream_id \
         WHERE k.key IS NOT NULL",
    )
    .bind(streams.iter().map(|s| s.tenant_id.0).collect::<Vec<Uuid>>())
    .bind(
        streams
            .iter()
            .map(|s| s.stream_type.as_str().to_owned())
            .collect::<Vec<String>>(),
    )
    .bind(streams.iter().map(|s| s.stream_id.0).collect::<Vec<Uuid>>())
    .fetch_all(executor)
    .await?;
    let keyring = Keyring::installed();
    let mut keys = HashMap::with_capacity(rows.len());
    for row in rows {
        let bytes: Vec<u8> = row.try_get("key")?;
        let kek_id: Option<String> = row.try_get("kek_id")?;
        let Ok(stream_type) = StreamType::new(row.try_get::<String, _>("stream_type")?) else {
            continue;
        };
        let stream = StreamRef {
            tenant_id: TenantId(row.try_get("tenant_id")?),
            stream_type,
            stream_id: StreamId(row.try_get("stream_id")?),
        };
        // A key that does not unwrap is an error, never "erased": a missing KEK must
        // not make content read as erased.
        let key = keyring
            .unwrap(
                StoredKey {
                    kek_id: kek_id.as_deref(),
                    bytes: &bytes,
                },
                &stream,
            )
            .map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
        keys.insert(stream, key);
    }
    Ok(keys)
}

/// A stored data key, as `rewrap` reads it.
#[derive(sqlx::FromRow)]
struct KeyRow {
    tenant_id: Uuid,
    stream_type: String,
    stream_id: Uuid,
    key: Vec<u8>,
    kek_id: Option<String>,
}
