//! A database of the benchmark's own, dropped at the end.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

pub struct BenchDatabase {
    admin: PgConnectOptions,
    pub name: String,
    pub url: String,
    pub pool: PgPool,
}

impl BenchDatabase {
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let admin: PgConnectOptions = admin_url.parse()?;
        let name = format!("bench_{}", uuid::Uuid::now_v7().simple());
        let mut connection = admin.connect().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await?;
        connection.close().await?;
        let options = admin.clone().database(&name);
        // A plain libpq URL: pgbench refuses the sqlx-only parameters of to_url_lossy().
        let (server, _) = admin_url
            .split('?')
            .next()
            .unwrap_or(admin_url)
            .rsplit_once('/')
            .ok_or_else(|| anyhow::anyhow!("{admin_url} has no database path"))?;
        let url = format!("{server}/{name}");
        let pool = PgPoolOptions::new()
            .max_connections(80)
            .connect_with(options)
            .await?;
        caselog_eventlog::migrate(&pool).await?;
        Ok(Self {
            admin,
            name,
            url,
            pool,
        })
    }

    pub async fn drop(self) {
        self.pool.close().await;
        if let Ok(mut connection) = self.admin.connect().await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE {} WITH (FORCE)",
                self.name
            )))
            .execute(&mut connection)
            .await;
        }
    }
}
