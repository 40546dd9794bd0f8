//! `caselog-migrate roles`: the owner and the runtime role, created (or brought back
//! to shape) by a database administrator. Safe to run again, and by several at once.

use std::time::Duration;

use sqlx::{Connection, PgConnection};

use caselog_platform::migrations::role_identifier;

/// What the administrator decides about the two roles.
#[derive(Debug, Clone)]
pub struct RoleSettings {
    pub owner: String,
    pub runtime: String,
    /// Set as the roles' passwords when given (a local stack trusts loopback).
    pub owner_password: Option<String>,
    pub runtime_password: Option<String>,
    /// Set on the runtime role, so they hold for every session it opens, whatever
    /// the client asks for.
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    pub idle_in_transaction_timeout: Duration,
}

/// The roles' names unless configured otherwise.
pub const OWNER: &str = "caselog_owner";
pub const RUNTIME: &str = "caselog_runtime";

impl Default for RoleSettings {
    /// The defaults of `caselog-migrate roles`, without passwords.
    fn default() -> Self {
        Self {
            owner: OWNER.to_owned(),
            runtime: RUNTIME.to_owned(),
            owner_password: None,
            runtime_password: None,
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(10),
            idle_in_transaction_timeout: Duration::from_secs(10),
        }
    }
}

/// Serialises concurrent runs: `CREATE ROLE` and `ALTER ROLE` race on the catalogue.
const ROLES_LOCK: i64 = 0x6361_7365_726f_6c65; // "caserole"

/// Creates the owner and runtime roles if missing, forces their attributes (no
/// superuser, no role or database creation, no replication, no RLS bypass), sets the
/// runtime role's time-outs, and lets the owner create schemas in the current database.
pub async fn create_roles(admin_url: &str, roles: &RoleSettings) -> anyhow::Result<()> {
    let owner = role_identifier(&roles.owner)?;
    let runtime = role_identifier(&roles.runtime)?;
    let mut connection = PgConnection::connect(admin_url).await?;
    let mut tx = connection.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ROLES_LOCK)
        .execute(&mut *tx)
        .await?;
    let limited = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    for (name, role, password) in [
        (&roles.owner, &owner, &roles.owner_password),
        (&roles.runtime, &runtime, &roles.runtime_password),
    ] {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} LOGIN")))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE {role} LOGIN {limited}"
        )))
        .execute(&mut *tx)
        .await?;
        if let Some(password) = password {
            // Utility statements take no parameters: Postgres itself quotes the
            // password as a literal (`%L`, backslashes included).
            let statement: String =
                sqlx::query_scalar("SELECT format('ALTER ROLE %s PASSWORD %L', $1, $2)")
                    .bind(role)
                    .bind(password)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await?;
        }
    }
    for (setting, value) in [
        ("statement_timeout", roles.statement_timeout),
        ("lock_timeout", roles.lock_timeout),
        (
            "idle_in_transaction_session_timeout",
            roles.idle_in_transaction_timeout,
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE {runtime} SET {setting} = '{}ms'",
            value.as_millis()
        )))
        .execute(&mut *tx)
        .await?;
    }
    let database: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&mut *tx)
        .await?;
    let database = database.replace('"', "\"\"");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "GRANT CONNECT, CREATE ON DATABASE \"{database}\" TO {owner}"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "GRANT CONNECT ON DATABASE \"{database}\" TO {runtime}"
    )))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
