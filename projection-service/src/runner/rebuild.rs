//! `projection-service rebuild <name>`: replays the whole Postgres log into a fresh
//! copy of the projection's schema while the live one keeps serving, then swaps them
//! in one transaction under the projection's lock, after applying whatever arrived in
//! the meantime. Live runners wait on that lock during the swap and carry on from the
//! rebuilt checkpoint.

use std::time::Instant;

use sqlx::PgPool;

use caselog_eventlog::LogReader;
use caselog_schemas::Position;

use super::batch::{self, Poisoned};
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
    create_copy(pool, &live, &next).await?;
    let poisoned = known_dead_letters(pool, projection).await?;

    // The next batch is read while this one is applied: the log's read and the
    // projector's writes run on two Postgres backends at once.
    let (batches, mut ready) = tokio::sync::mpsc::channel(2);
    let read_ahead = tokio::spawn(read_ahead(reader.clone(), batches));
    let mut position = 0;
    while let Some(events) = ready.recv().await {
        let events = events?;
        let mut tx = batch::begin(pool, projection, &next, false).await?;
        position =
            batch::apply_in_transaction(&mut tx, projection, &reader, &events, &poisoned).await?;
        tx.commit().await?;
    }
    read_ahead.await?;

    let mut tx = batch::begin(pool, projection, &next, true).await?;
    loop {
        let events = reader.read_after(Position(position), BATCH).await?;
        if events.is_empty() {
            break;
        }
        position =
            batch::apply_in_transaction(&mut tx, projection, &reader, &events, &poisoned).await?;
    }
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
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {next}.checkpoint (position) VALUES (0)"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn known_dead_letters(pool: &PgPool, projection: Projection) -> anyhow::Result<Poisoned> {
    let rows: Vec<(i64, i32, String)> = sqlx::query_as(
        "SELECT position, attempts, error FROM projections.dead_letters WHERE projection = $1",
    )
    .bind(projection.name())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(position, attempts, error)| (position, (attempts as u32, error)))
        .collect())
}
