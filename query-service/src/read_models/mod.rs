//! Reads of the read models the projection service builds (schemas `rm_*`). Every
//! function takes the [`Viewer`] and applies visibility in SQL, so restricted
//! conversations never reach a list, a count, a search or a detail they should not.

pub mod chat;
pub mod conversations;
pub mod directory;
pub mod history;
pub mod internal_messages;
pub mod live;
mod progress;
pub mod queue;
mod viewer;

pub use progress::Progress;
pub use viewer::Viewer;

use sqlx::PgPool;

use caselog_schemas::{Position, TenantId};

/// How far a read model is: its checkpoint and the newest position it applied for
/// the tenant (the tenant's read-model version, which keys the cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelVersion {
    pub position: Position,
    pub tenant_position: Position,
}

pub use caselog_read_model::Projection;

/// How far `projection`'s read model is, for all and for `tenant`.
pub async fn version(
    projection: Projection,
    pool: &PgPool,
    tenant: TenantId,
) -> Result<ModelVersion, sqlx::Error> {
    let schema = projection.schema();
    let (position, tenant_position): (i64, Option<i64>) =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT (SELECT position FROM {schema}.checkpoint), \
                (SELECT position FROM {schema}.tenant_positions WHERE tenant_id = $1)"
        )))
        .bind(tenant.0)
        .fetch_one(pool)
        .await?;
    Ok(ModelVersion {
        position: Position(position),
        tenant_position: tenant_position.map_or(Position::BEFORE_FIRST, Position),
    })
}
