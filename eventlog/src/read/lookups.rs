//! The lookups the command side makes on the log itself rather than on a read model,
//! because they must see every committed event (a read model may lag behind). Each is
//! served by a partial index of migrations 0002 and 0005.

use std::collections::HashSet;

use uuid::Uuid;

use caselog_schemas::{Position, TenantId};

use super::LogReader;
use crate::error::ReadError;

impl LogReader {
    /// The contact's conversation most recently started or reopened, whatever its
    /// status: where an inbound message goes (`events_conversation_contact_idx`, then
    /// `events_conversation_opened_idx`).
    pub async fn current_conversation_of_contact(
        &self,
        tenant_id: TenantId,
        contact_id: Uuid,
    ) -> Result<Option<Uuid>, ReadError> {
        Ok(
            sqlx::query_scalar(include_str!("sql/current_conversation_of_contact.sql"))
                .bind(tenant_id.0)
                .bind(contact_id.to_string())
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every conversation the contact ever had, oldest first: what erasing the contact
    /// erases.
    pub async fn conversations_of_contact(
        &self,
        tenant_id: TenantId,
        contact_id: Uuid,
    ) -> Result<Vec<Uuid>, ReadError> {
        Ok(
            sqlx::query_scalar(include_str!("sql/conversations_of_contact.sql"))
                .bind(tenant_id.0)
                .bind(contact_id.to_string())
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The tenant's conversations started in `[from, to)`, oldest first.
    pub async fn conversations_started_between(
        &self,
        tenant_id: TenantId,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Uuid>, ReadError> {
        Ok(
            sqlx::query_scalar(include_str!("sql/conversations_started_between.sql"))
                .bind(tenant_id.0)
                .bind(from)
                .bind(to)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Which of `ids` are directory entries of the tenant that an `upsert_event`
    /// (`UserUpserted`, `GroupUpserted`) made, a user erased since being one no more
    /// (`events_directory_kind_idx`).
    pub async fn directory_entries_of_kind(
        &self,
        tenant_id: TenantId,
        ids: &[Uuid],
        upsert_event: &str,
    ) -> Result<HashSet<Uuid>, ReadError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let found: Vec<Uuid> =
            sqlx::query_scalar(include_str!("sql/directory_entries_of_kind.sql"))
                .bind(tenant_id.0)
                .bind(ids)
                .bind(upsert_event)
                .fetch_all(self.pool())
                .await?;
        Ok(found.into_iter().collect())
    }

    /// How long ago the event at `position` was recorded, by the database's clock
    /// (`None` when there is none): how far behind a reader standing just before it is.
    pub async fn age_of(&self, position: Position) -> Result<Option<f64>, ReadError> {
        Ok(sqlx::query_scalar(
            "SELECT extract(epoch FROM clock_timestamp() - recorded_at)::float8 \
             FROM eventlog.events WHERE position = $1",
        )
        .bind(position.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// How many events the log holds (for tools and benchmarks: a full count).
    pub async fn count(&self) -> Result<i64, ReadError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM eventlog.events")
            .fetch_one(self.pool())
            .await?)
    }
}
