//! The directory read model: users, groups, contacts with presets, snippets, settings,
//! integrations' items, the files library.

use sqlx::PgConnection;

use caselog_schemas::EventEnvelope;
use caselog_schemas::events::{DirectoryEvent as E, from_stored};

use super::ApplyError;
use super::access::user_ids;

mod items;
mod people;
mod workspace;

pub async fn apply(conn: &mut PgConnection, event: &EventEnvelope) -> Result<(), ApplyError> {
    if event.stream_type.as_str() != "directory" {
        return Ok(());
    }
    let decoded = from_stored::<E>(&event.event_type, &event.payload)?;
    match decoded {
        E::UserUpserted { .. }
        | E::UserErased { .. }
        | E::GroupUpserted { .. }
        | E::ContactUpserted { .. }
        | E::ContactErased { .. }
        | E::ContactPresetsSet { .. } => people::apply(conn, event, decoded).await?,
        E::SnippetCreated { .. }
        | E::SnippetUpdated { .. }
        | E::SnippetDeleted { .. }
        | E::SettingsUpdated { .. }
        | E::NotificationPreferencesSet { .. } => workspace::apply(conn, event, decoded).await?,
        E::ItemRegistered { .. } | E::ItemRemoved {} | E::FileAdded { .. } | E::FileRemoved {} => {
            items::apply(conn, event, decoded).await?;
        }
    }
    Ok(())
}
