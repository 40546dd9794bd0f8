//! The items integrations register (deals, tasks, products, charges, calendar events,
//! broadcasts, campaigns): what a card of one shows, and who may open it.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(id: Uuid, entry: &DirectoryEntry, command: C) -> Result<Vec<E>, R> {
    match command {
        C::RegisterItem(item) => {
            require_kind(id, entry, "item")?;
            if item.entity_type.is_caselog_own() {
                return Err(R::Invalid {
                    field: "entity_type",
                    reason: "conversations and contacts are caselog's own, not registered",
                });
            }
            require_text("entity_id", &item.entity_id)?;
            require_text("title", &item.title)?;
            if !(item.url.starts_with("https://") || item.url.starts_with("http://")) {
                return Err(R::Invalid {
                    field: "url",
                    reason: "an item opens at an http(s) URL",
                });
            }
            if matches!(entry, DirectoryEntry::Item(current) if *current == item) {
                return Ok(Vec::new());
            }
            Ok(vec![E::ItemRegistered {
                entity_type: item.entity_type,
                entity_id: item.entity_id,
                title: item.title,
                summary: item.summary,
                url: item.url,
                access: item.access,
            }])
        }
        C::RemoveItem => match entry {
            DirectoryEntry::Item(_) => Ok(vec![E::ItemRemoved {}]),
            _ => Err(R::UnknownItem),
        },
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
