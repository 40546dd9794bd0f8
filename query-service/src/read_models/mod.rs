//! Reads of the read models the projection service builds (schemas `rm_*`). Every
//! function takes the [`Viewer`] and applies visibility in SQL, so restricted
//! conversations never reach a list, a count, a search or a detail they should not.

pub mod chat;
pub mod conversations;
pub mod directory;
pub mod history;
pub mod internal_messages;
mod progress;
mod viewer;

pub use progress::Progress;
pub use viewer::Viewer;

use sqlx::PgPool;
use uuid::Uuid;

/// How far a read model is: its checkpoint and the newest position it applied for
/// the tenant (the tenant's read-model version, which keys the cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelVersion {
    pub position: i64,
    pub tenant_position: i64,
}

/// The read models a route can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadModel {
    Inbox,
    History,
    InternalMessages,
    Directory,
    Chat,
}

impl ReadModel {
    pub const ALL: [ReadModel; 5] = [
        ReadModel::Inbox,
        ReadModel::History,
        ReadModel::InternalMessages,
        ReadModel::Directory,
        ReadModel::Chat,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The read model a projection (by its name, `inbox`) builds.
    fn named(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|model| model.schema().strip_prefix("rm_") == Some(name))
    }

    pub fn schema(self) -> &'static str {
        match self {
            ReadModel::Inbox => "rm_inbox",
            ReadModel::History => "rm_history",
            ReadModel::InternalMessages => "rm_internal_messages",
            ReadModel::Directory => "rm_directory",
            ReadModel::Chat => "rm_chat",
        }
    }

    pub async fn version(
        self,
        pool: &PgPool,
        tenant_id: Uuid,
    ) -> Result<ModelVersion, sqlx::Error> {
        let schema = self.schema();
        let (position, tenant_position): (i64, Option<i64>) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT (SELECT position FROM {schema}.checkpoint), \
                    (SELECT position FROM {schema}.tenant_positions WHERE tenant_id = $1)"
            )))
            .bind(tenant_id)
            .fetch_one(pool)
            .await?;
        Ok(ModelVersion {
            position,
            tenant_position: tenant_position.unwrap_or(0),
        })
    }
}
