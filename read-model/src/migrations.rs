//! The read models' tables (schema `projections` and one `rm_*` schema per
//! [`Projection`]) and the query service's bulk export jobs (schema `exports`), applied
//! by `caselog-migrate` as the owner role.

use sqlx::PgPool;

use crate::Projection;

pub fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.create_schema("projections");
    migrator.dangerous_set_table_name("projections._sqlx_migrations");
    migrator
}

/// The runtime role (`role`, quoted) reads and writes every read model. A rebuild
/// gives its new copy the live schema's grants.
pub fn runtime_grants(role: &str) -> Vec<String> {
    let schemas: Vec<&str> = ["projections", "exports"]
        .into_iter()
        .chain(Projection::ALL.iter().map(|projection| projection.schema()))
        .collect();
    let schemas = schemas.join(", ");
    vec![
        format!("GRANT USAGE ON SCHEMA {schemas} TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schemas} TO {role}"),
        format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schemas} TO {role}"),
    ]
}

/// Fails unless the log's schema and the read models' are at this build's version.
pub async fn require_migrated(pool: &PgPool) -> anyhow::Result<()> {
    caselog_eventlog::require_migrated(pool).await?;
    caselog_platform::migrations::require(pool, "the read models", &migrator()).await
}
