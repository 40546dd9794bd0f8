//! `projection-service rebuild <name>`: replays the whole Postgres log into a fresh
//! copy of the projection's schema while the live one keeps serving, then swaps them
//! in one transaction under the projection's lock, after applying whatever arrived in
//! the meantime. Live runners wait on that lock during the swap and carry on from the
//! rebuilt checkpoint.
//!
//! Every event is tried again, the dead letters too: after a fix they apply, and the
//! swap clears them; one that still fails is set aside again, with today's error.

use std::time::Instant;

use sqlx::PgPool;

use caselog_eventlog::LogReader;
use caselog_platform::progress::Progress;
use caselog_schemas::Position;

use super::batch::{self, BatchError, Poisoned};
use crate::projections::Projection;

const BATCH: i64 = 2000;

#[derive(Debug, serde::Serialize)]
pub struct RebuildReport {
    pub projection: &'static str,
    pub events: i64,
    pub position: i64,
    pub seconds: f64,
}

pub async fn rebuild(pool: &PgPool, projection: Projection) -> anyhow::Result<RebuildReport> {
    let started = Instant::now();
    let reader = LogReader::new(pool.clone());
    let live = projection.schema();
    let next = format!("{live}_next");
    create_copy(pool, live, &next).await?;
    let mut poisoned = Poisoned::new();
    let head = u64::try_from(reader.head().await?.0).unwrap_or(0);
    let progress = Progress::new(format!("rebuild {}", projection.name()), "events", head);

    // The next batch is read while this one is applied: the log's read and the
    // projector's writes run on two Postgres backends at once.
    let (batches, mut ready) = tokio::sync::mpsc::channel(2);
    let read_ahead = tokio::spawn(read_ahead(reader.clone(), batches));
    let mut position = 0;
    while let Some(events) = ready.recv().await {
        let events = events?;
        position = loop {
            let mut tx = batch::begin(pool, projection, &next, false).await?;
            let applied =
                batch::apply_in_transaction(&mut tx, projection, &reader, &events, &poisoned).await;
            if let Some(reached) = set_aside(applied, &mut poisoned)? {
                tx.commit().await?;
                break reached;
            }
        };
        progress.set_total(head.max(u64::try_from(position).unwrap_or(0)));
        progress.advance(events.len() as u64);
    }
    read_ahead.await?;

    let mut tx = batch::begin(pool, projection, &next, true).await?;
    loop {
        let events = reader.read_after(Position(position), BATCH).await?;
        if events.is_empty() {
            break;
        }
        sqlx::query("SAVEPOINT tail").execute(&mut *tx).await?;
        let applied =
            batch::apply_in_transaction(&mut tx, projection, &reader, &events, &poisoned).await;
        match set_aside(applied, &mut poisoned)? {
            Some(reached) => position = reached,
            None => {
                sqlx::query("ROLLBACK TO SAVEPOINT tail")
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    sqlx::query("INSERT INTO projections.rebuilds (projection, position) VALUES ($1, $2)")
        .bind(projection.name())
        .bind(position)
        .execute(&mut *tx)
        .await?;
    // Dead letters that applied this time are gone; the others were written again.
    let still_failing: Vec<i64> = poisoned.keys().copied().collect();
    sqlx::query(
        "DELETE FROM projections.dead_letters \
         WHERE projection = $1 AND NOT (position = ANY($2))",
    )
    .bind(projection.name())
    .bind(&still_failing)
    .execute(&mut *tx)
    .await?;
    for statement in [
        format!("ALTER SCHEMA {live} RENAME TO {live}_old"),
        format!("ALTER SCHEMA {next} RENAME TO {live}"),
        format!("DROP SCHEMA {live}_old CASCADE"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    progress.finish();
    Ok(RebuildReport {
        projection: projection.name(),
        events: position,
        position,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// An empty schema with the live schema's tables (columns, defaults, constraints,
/// indexes), so the copy has exactly the migrated shape without repeating the DDL.
/// Sends the log's events in batches, oldest first, until the end or an error.
async fn read_ahead(
    reader: LogReader,
    batches: tokio::sync::mpsc::Sender<anyhow::Result<Vec<caselog_schemas::EventEnvelope>>>,
) {
    let mut after = 0;
    loop {
        let read = reader.read_after(Position(after), BATCH).await;
        let events = match read {
            Ok(events) if events.is_empty() => return,
            Ok(events) => events,
            Err(error) => {
                let _ = batches.send(Err(error.into())).await;
                return;
            }
        };
        after = events.last().map_or(after, |event| event.position.0);
        if batches.send(Ok(events)).await.is_err() {
            return;
        }
    }
}

async fn create_copy(pool: &PgPool, live: &str, next: &str) -> anyhow::Result<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .bind(live)
    .fetch_all(pool)
    .await?;
    let mut tx = pool.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {next} CASCADE"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {next}")))
        .execute(&mut *tx)
        .await?;
    for table in &tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {next}.{table} (LIKE {live}.{table} INCLUDING ALL)"
        )))
        .execute(&mut *tx)
        .await?;
    }
    for grant in live_grants(&mut tx, live, next).await? {
        sqlx::query(sqlx::AssertSqlSafe(grant))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {next}.checkpoint (position) VALUES (0)"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The live schema's grants (to the services' runtime role, say), restated for the copy:
/// once swapped in it must serve exactly as the live one did.
async fn live_grants(
    tx: &mut sqlx::PgConnection,
    live: &str,
    next: &str,
) -> anyhow::Result<Vec<String>> {
    let on_schema: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.privilege_type, a.grantee::regrole::text \
         FROM pg_namespace n, aclexplode(n.nspacl) a \
         WHERE n.nspname = $1 AND a.grantee <> n.nspowner AND a.grantee <> 0",
    )
    .bind(live)
    .fetch_all(&mut *tx)
    .await?;
    let on_tables: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.relname::text, a.privilege_type, a.grantee::regrole::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a \
         WHERE n.nspname = $1 AND c.relkind = 'r' AND a.grantee <> c.relowner AND a.grantee <> 0",
    )
    .bind(live)
    .fetch_all(&mut *tx)
    .await?;
    Ok(on_schema
        .into_iter()
        .map(|(privilege, grantee)| format!("GRANT {privilege} ON SCHEMA {next} TO {grantee}"))
        .chain(on_tables.into_iter().map(|(table, privilege, grantee)| {
            format!("GRANT {privilege} ON {next}.{table} TO {grantee}")
        }))
        .collect())
}

/// The position reached, or `None` when an event failed for good: it is set aside
/// and the batch is to be applied again. Any other failure ends the rebuild.
fn set_aside(
    applied: Result<i64, BatchError>,
    poisoned: &mut Poisoned,
) -> anyhow::Result<Option<i64>> {
    match applied {
        Ok(reached) => Ok(Some(reached)),
        Err(BatchError::Event { position, error }) if !error.is_transient() => {
            tracing::warn!(position, error = %error, "event set aside during the rebuild");
            poisoned.insert(position, (1, error.to_string()));
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}
