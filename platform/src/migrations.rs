//! Schema versions. The services never change the schema: `caselog-migrate` does, as
//! the owner role, before they start (docs/production.md). At start a service checks
//! that the database has every migration it was built with, and says what to run if
//! not, instead of failing later on a missing column.

use sqlx::PgPool;
use sqlx::migrate::Migrator;

/// Fails unless every migration of `migrator` (`what`: "the event log", say) has been
/// applied to the database behind `pool`.
pub async fn require(pool: &PgPool, what: &str, migrator: &Migrator) -> anyhow::Result<()> {
    let needed = migrator.iter().map(|migration| migration.version).max();
    let Some(needed) = needed else { return Ok(()) };
    let table = &migrator.table_name;
    let applied: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(sqlx::AssertSqlSafe(
        format!("SELECT max(version) FROM {table} WHERE success"),
    ))
    .fetch_one(pool)
    .await;
    let applied = match applied {
        Ok(applied) => applied.unwrap_or(0),
        Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42P01") => 0,
        Err(error) => return Err(error.into()),
    };
    anyhow::ensure!(
        applied >= needed,
        "the database has {what} at migration {applied}, this build needs {needed}: run \
         `caselog-migrate` (as the owner role) first"
    );
    Ok(())
}

/// Migrations reworded after release without a change to what they do (a comment):
/// each one's version and the SHA-384 (hex) of its text as released. Before the
/// migrator validates what was applied, the released text's checksum is replaced by
/// the current text's — that checksum only, so a database migrated before the
/// rewording still validates, and a migration edited in any other way still does not.
pub async fn amend_reworded(
    pool: &PgPool,
    migrator: &Migrator,
    reworded: &[(i64, &str)],
) -> anyhow::Result<()> {
    let table = &migrator.table_name;
    for &(version, released) in reworded {
        let Some(current) = migrator
            .iter()
            .find(|migration| migration.version == version)
        else {
            continue;
        };
        let released = hex::decode(released)?;
        let amended = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET checksum = $1 WHERE version = $2 AND checksum = $3"
        )))
        .bind(current.checksum.as_ref())
        .bind(version)
        .bind(released)
        .execute(pool)
        .await;
        match amended {
            Ok(_) => {}
            // Nothing applied yet.
            Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42P01") => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// A role name safe to splice into DDL: lower-case letters, digits and `_`, quoted.
pub fn role_identifier(name: &str) -> anyhow::Result<String> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    anyhow::ensure!(
        valid,
        "{name:?} is not a role name of lower-case letters, digits and _"
    );
    Ok(format!("\"{name}\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_role_names_are_spliced() {
        assert_eq!(
            super::role_identifier("caselog_runtime").unwrap(),
            "\"caselog_runtime\""
        );
        for bad in ["", "Runtime", "a\"; DROP TABLE x; --", "9lives", "a-b"] {
            assert!(super::role_identifier(bad).is_err(), "{bad}");
        }
    }
}
