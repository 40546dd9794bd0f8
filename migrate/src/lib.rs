//! Postgres least privilege (docs/production.md "Postgres roles"):
//!
//! - the **owner** role owns every schema and table and is the only one that changes
//!   them: `caselog-migrate` applies the migrations as the owner and grants the runtime
//!   role what it needs;
//! - the **runtime** role, the one the services log in as, is no superuser and owns
//!   nothing: it may append to the log but not update, delete or truncate it, and
//!   cannot disable its triggers (only an owner or a superuser can);
//! - `caselog-migrate roles`, run once by a database administrator, creates both roles
//!   with the runtime role's time-outs.

pub mod roles;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use caselog_platform::migrations::role_identifier;

pub use roles::{OWNER, RUNTIME, RoleSettings, create_roles};

/// Applies every migration as `owner` (a `SET ROLE` when logged in as another role
/// that may become it, a superuser in the local stack) and grants `runtime` its
/// privileges. Idempotent.
pub async fn migrate(database_url: &str, owner: &str, runtime: &str) -> anyhow::Result<()> {
    let runtime = role_identifier(runtime)?;
    let set_role = format!("SET ROLE {}", role_identifier(owner)?);
    let options: PgConnectOptions = database_url.parse()?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .after_connect(move |connection, _| {
            let set_role = set_role.clone();
            Box::pin(async move {
                sqlx::query(sqlx::AssertSqlSafe(set_role))
                    .execute(connection)
                    .await
                    .map(|_| ())
            })
        })
        .connect_with(options)
        .await
        .map_err(|error| anyhow::anyhow!("connecting as the owner role {owner}: {error}"))?;
    apply(&pool).await?;
    grant(&pool, &runtime).await?;
    pool.close().await;
    Ok(())
}

async fn apply(pool: &PgPool) -> anyhow::Result<()> {
    let log = caselog_eventlog::migrator();
    caselog_platform::migrations::amend_reworded(pool, &log, caselog_eventlog::REWORDED_MIGRATIONS)
        .await?;
    log.run(pool).await?;
    caselog_command_service::migrations::migrator()
        .run(pool)
        .await?;
    caselog_read_model::migrations::migrator().run(pool).await?;
    caselog_webhooks::migrator().run(pool).await?;
    Ok(())
}

async fn grant(pool: &PgPool, runtime: &str) -> anyhow::Result<()> {
    let statements = caselog_eventlog::runtime_grants(runtime)
        .into_iter()
        .chain(caselog_command_service::migrations::runtime_grants(runtime))
        .chain(caselog_read_model::migrations::runtime_grants(runtime))
        .chain(caselog_webhooks::runtime_grants(runtime));
    let mut tx = pool.begin().await?;
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
