//! Walks read from the log: a tenant's events or every event, streamed in position
//! order so a large log is never held in memory.

use futures::TryStreamExt;
use sqlx::Row;
use sqlx::postgres::PgRow;

use caselog_platform::progress::Progress;
use caselog_schemas::{StreamId, StreamType, TenantId};

use super::StoredEvent;
use super::walk::{ChainWalk, LoggedEvent, Scope, TrustReport};
use crate::error::ReadError;
use crate::model::StreamRef;
use crate::read::LogReader;

macro_rules! select_events {
    ($where:literal) => {
        concat!(
            "SELECT position, event_id, tenant_id, stream_type, stream_id, stream_version, ",
            "event_type, schema_version, payload, metadata, recorded_at, previous_hash, hash, ",
            "tenant_hash, log_hash FROM eventlog.events ",
            $where,
            " ORDER BY position"
        )
    };
}

impl LogReader {
    /// Walks `scope`'s events up to the log head. The caller may add anchors from
    /// outside the database before [`LogReader::finish_walk`].
    pub async fn walk<'k>(
        &self,
        walk: &mut ChainWalk<'k>,
        scope: Scope,
        progress: &Progress,
    ) -> Result<(), ReadError> {
        let mut rows = match scope {
            Scope::Log => sqlx::query(select_events!("")).fetch(self.pool()),
            Scope::Tenant(tenant) => sqlx::query(select_events!("WHERE tenant_id = $1"))
                .bind(tenant.0)
                .fetch(self.pool()),
        };
        while let Some(row) = rows.try_next().await? {
            walk.push(&logged_event(&row)?);
            progress.advance(1);
        }
        Ok(())
    }

    /// How many events a walk of `scope` reads (for its progress).
    pub async fn events_in(&self, scope: Scope) -> Result<u64, ReadError> {
        let count: i64 = match scope {
            Scope::Log => self.head().await?.0,
            Scope::Tenant(tenant) => {
                sqlx::query_scalar("SELECT count(*) FROM eventlog.events WHERE tenant_id = $1")
                    .bind(tenant.0)
                    .fetch_one(self.pool())
                    .await?
            }
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Compares the log hashes the walk's checkpoints signed with the stored log, and
    /// reports.
    pub async fn finish_walk(&self, mut walk: ChainWalk<'_>) -> Result<TrustReport, ReadError> {
        let anchors = std::mem::take(&mut walk.log_anchors);
        if !anchors.is_empty() {
            let positions: Vec<i64> = anchors.iter().map(|(position, _)| position.0).collect();
            let stored: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT position, log_hash FROM eventlog.events WHERE position = ANY($1)",
            )
            .bind(&positions)
            .fetch_all(self.pool())
            .await?;
            for (position, signed) in anchors {
                let found = stored.iter().find(|(at, _)| *at == position.0);
                match found {
                    Some((_, hash)) if hash.as_slice() == signed => {}
                    Some(_) => walk.fail(
                        position,
                        format!(
                            "a checkpoint signed the log's hash at position {position}, and \
                             the log now holds another: an event up to there was changed"
                        ),
                    ),
                    None => walk.fail(
                        position,
                        format!(
                            "a checkpoint signed the log up to position {position}, which \
                             the log no longer holds: it was cut short"
                        ),
                    ),
                }
            }
        }
        Ok(walk.finish())
    }
}

fn logged_event(row: &PgRow) -> Result<LoggedEvent, ReadError> {
    let position: i64 = row.try_get("position")?;
    let stream_type: String = row.try_get("stream_type")?;
    let stream_type = StreamType::new(stream_type).map_err(|error| ReadError::Undecodable {
        position,
        reason: error.to_string(),
    })?;
    Ok(LoggedEvent {
        stream: StreamRef {
            tenant_id: TenantId(row.try_get("tenant_id")?),
            stream_type,
            stream_id: StreamId(row.try_get("stream_id")?),
        },
        event: StoredEvent::from_row(row)?,
        tenant_hash: row.try_get("tenant_hash")?,
        log_hash: row.try_get("log_hash")?,
    })
}
