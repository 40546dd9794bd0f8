//! Postgres least privilege: the services log in as a runtime role that is no
//! superuser, owns nothing and carries its own time-outs; it appends to the log but
//! every statement that would rewrite it, or switch its guard off, is refused. The
//! schema is changed only by `caselog-migrate`, and a service refuses to start on a
//! database it has not migrated.

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;

/// Runs `sql` and returns the SQLSTATE it failed with (`None`: it succeeded).
async fn refusal(connection: &mut PgConnection, sql: &'static str) -> Option<String> {
    match sqlx::query(sql).execute(&mut *connection).await {
        Ok(_) => None,
        Err(sqlx::Error::Database(error)) => error.code().map(|code| code.into_owned()),
        Err(other) => panic!("{sql}: {other}"),
    }
}

#[tokio::test]
async fn the_services_run_as_a_role_that_can_append_to_the_log_but_never_rewrite_it() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.new_contact("Maria").await;
    assert!(stack.log_length().await > 0, "the runtime role appended");

    // Every session the three services hold is the runtime role's, no superuser's.
    let sessions: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT a.application_name, a.usename::text, r.rolsuper \
         FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid \
         WHERE a.datname = current_database() AND a.application_name LIKE '%-service'",
    )
    .fetch_all(&stack.database.pool)
    .await
    .unwrap();
    for service in ["command-service", "projection-service", "query-service"] {
        assert!(
            sessions.iter().any(|(name, _, _)| name == service),
            "{service} holds a session: {sessions:?}"
        );
    }
    for (service, user, superuser) in &sessions {
        assert_eq!(user, caselog_migrate::RUNTIME, "{service}");
        assert!(!superuser, "{service} is a superuser");
    }

    // A plain session of the runtime role: no superuser, owns nothing, and the
    // time-outs are the role's own, not only what the services ask for.
    let mut runtime = PgConnection::connect(&stack.database.url).await.unwrap();
    let (superuser, owned): (bool, i64) = sqlx::query_as(
        "SELECT r.rolsuper, \
           (SELECT count(*) FROM pg_class WHERE relowner = r.oid) \
           + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(&mut runtime)
    .await
    .unwrap();
    assert!(!superuser);
    assert_eq!(owned, 0, "the runtime role owns nothing");
    for (setting, expected) in [
        ("statement_timeout", "30s"),
        ("lock_timeout", "10s"),
        ("idle_in_transaction_session_timeout", "10s"),
    ] {
        let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
            .fetch_one(&mut runtime)
            .await
            .unwrap();
        assert_eq!(value, expected, "{setting}");
    }

    let before = stack.log_length().await;
    // 42501: insufficient_privilege (the trigger is never reached).
    for sql in [
        "UPDATE eventlog.events SET payload = '{}'",
        "DELETE FROM eventlog.events",
        "TRUNCATE eventlog.events",
        "ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only",
        "ALTER TABLE eventlog.events DISABLE TRIGGER ALL",
        "DROP TRIGGER events_append_only ON eventlog.events",
        "SET session_replication_role = replica",
        "DROP TABLE eventlog.events",
        "CREATE TABLE eventlog.shadow (position bigint)",
        "DELETE FROM eventlog.stream_keys",
        "UPDATE eventlog.idempotency_keys SET outcome = '{}'",
        "CREATE SCHEMA elsewhere",
        "ALTER ROLE caselog_runtime SUPERUSER",
        "ALTER ROLE caselog_runtime BYPASSRLS",
        "SET ROLE caselog_owner",
    ] {
        assert_eq!(
            refusal(&mut runtime, sql).await.as_deref(),
            Some("42501"),
            "{sql} was not refused for lack of privilege"
        );
    }
    assert_eq!(stack.log_length().await, before, "the log is unchanged");
    let hashes_intact: bool =
        sqlx::query_scalar("SELECT count(*) = 0 FROM eventlog.events WHERE payload = '{}'::jsonb")
            .fetch_one(&stack.database.pool)
            .await
            .unwrap();
    assert!(hashes_intact);
    stack.stop().await;
}

#[tokio::test]
async fn a_service_refuses_to_start_on_a_database_caselog_migrate_has_not_migrated() {
    let admin: sqlx::postgres::PgConnectOptions =
        caselog_testkit::admin_database_url().parse().unwrap();
    let name = format!("t_{}", Uuid::now_v7().simple());
    let mut connection = sqlx::ConnectOptions::connect(&admin).await.unwrap();
    caselog_testkit::prepare_roles(&caselog_testkit::admin_database_url()).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER caselog_owner"
    )))
    .execute(&mut connection)
    .await
    .unwrap();
    let url = sqlx::ConnectOptions::to_url_lossy(
        &admin
            .clone()
            .database(&name)
            .username(caselog_migrate::RUNTIME),
    )
    .to_string();

    for binary in ["command-service", "query-service", "projection-service"] {
        let output = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            tokio::process::Command::new(caselog_testkit::services::bin_dir().join(binary))
                .env("CASELOG_ENV", "dev")
                .env("CASELOG_DATABASE_URL", &url)
                .env("CASELOG_NATS_URL", caselog_testkit::nats_url())
                .env("CASELOG_COMMAND_ADDR", "127.0.0.1:0")
                .env("CASELOG_QUERY_ADDR", "127.0.0.1:0")
                .env("CASELOG_PROJECTION_ADDR", "127.0.0.1:0")
                .kill_on_drop(true)
                .output(),
        )
        .await
        .expect("the service exits by itself")
        .unwrap();
        assert!(!output.status.success(), "{binary} started unmigrated");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("caselog-migrate"), "{binary}: {stderr}");
    }
    // Nor did any of them create a table on its way out.
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_namespace WHERE nspname IN ('eventlog', 'projections', 'commands')",
    )
    .fetch_one(
        &mut sqlx::ConnectOptions::connect(&admin.database(&name))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(tables, 0);
}

/// A migration whose comment was reworded after release: a database migrated with the
/// released text still migrates (its checksum is amended, that one only), and one whose
/// migration was edited in any other way is still refused.
#[tokio::test]
async fn a_reworded_migration_is_accepted_and_an_edited_one_is_still_refused() {
    let database = caselog_testkit::TestDatabase::create().await;
    let checksum_of_3 = || async {
        sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT checksum FROM eventlog._sqlx_migrations WHERE version = 3",
        )
        .fetch_one(&database.pool)
        .await
        .unwrap()
    };
    let current = checksum_of_3().await;
    let set_checksum = |hex: String| {
        let pool = database.pool.clone();
        async move {
            sqlx::query(
                "UPDATE eventlog._sqlx_migrations SET checksum = decode($1, 'hex') WHERE version = 3",
            )
            .bind(hex)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    let (_, released) = caselog_eventlog::REWORDED_MIGRATIONS[0];
    set_checksum(released.to_owned()).await;
    caselog_migrate::migrate(
        &database.admin_url,
        caselog_migrate::OWNER,
        caselog_migrate::RUNTIME,
    )
    .await
    .expect("a database migrated with the released text migrates");
    assert_eq!(
        checksum_of_3().await,
        current,
        "the checksum is the current text's"
    );

    set_checksum("00".repeat(48)).await;
    let refused = caselog_migrate::migrate(
        &database.admin_url,
        caselog_migrate::OWNER,
        caselog_migrate::RUNTIME,
    )
    .await
    .expect_err("an edited migration is refused");
    assert!(
        format!("{refused:#}").contains('3'),
        "the refusal names the migration: {refused:#}"
    );
}

/// `caselog-migrate roles` sets passwords with a statement that takes no parameters:
/// whatever a password holds (quotes, backslashes, SQL) becomes exactly that password.
#[tokio::test]
async fn role_passwords_are_set_exactly_as_given_whatever_they_hold() {
    let suffix = Uuid::now_v7().simple().to_string();
    let owner = format!("caselog_owner_{}", &suffix[20..]);
    let runtime = format!("caselog_runtime_{}", &suffix[20..]);
    let owner_password = r"it's \'; ALTER ROLE caselog_runtime SUPERUSER; --".to_owned();
    let runtime_password = r"back\\slash and 'quote'".to_owned();
    // md5 secrets can be checked in SQL (SCRAM ones cannot): `md5(password || role)`.
    let admin_url = caselog_testkit::admin_database_url();
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let md5_url = format!("{admin_url}{separator}options=-c%20password_encryption%3Dmd5");
    let roles = caselog_migrate::RoleSettings {
        owner: owner.clone(),
        runtime: runtime.clone(),
        owner_password: Some(owner_password.clone()),
        runtime_password: Some(runtime_password.clone()),
        ..caselog_migrate::RoleSettings::default()
    };
    caselog_migrate::create_roles(&md5_url, &roles)
        .await
        .unwrap();

    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    for (role, password) in [(&owner, &owner_password), (&runtime, &runtime_password)] {
        let exact: Option<bool> = sqlx::query_scalar(
            "SELECT rolpassword = 'md5' || md5($2 || rolname) FROM pg_authid WHERE rolname = $1",
        )
        .bind(role)
        .bind(password)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
        assert_eq!(exact, Some(true), "{role}'s password is the one given");
    }
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = 'caselog_runtime'")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert!(!superuser, "a password never runs as SQL");
    for role in [&owner, &runtime] {
        for statement in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
}
