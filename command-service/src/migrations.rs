//! The command service's own tables (schema `commands`): the auto-close schedule and
//! the subscriptions' users. Applied by `caselog-migrate`.

pub fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.create_schema("commands");
    migrator.dangerous_set_table_name("commands._sqlx_migrations");
    migrator
}

/// The runtime role (`role`, quoted) keeps the auto-close schedule and the subscriptions.
pub fn runtime_grants(role: &str) -> Vec<String> {
    vec![
        format!("GRANT USAGE ON SCHEMA commands TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA commands TO {role}"),
    ]
}
