//! The items integrations register (deals, tasks, products, charges, calendar events,
//! broadcasts, campaigns): what a card of one shows, and who may open it; and the
//! files of the tenant's library agents attach.

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
        C::AddFile(file) => {
            require_kind(id, entry, "file")?;
            require_text("name", &file.name)?;
            if !file.media_type.contains('/') {
                return Err(R::Invalid {
                    field: "media_type",
                    reason: "a media type such as application/pdf",
                });
            }
            let web = |url: &String| url.starts_with("https://") || url.starts_with("http://");
            if file.sha256.is_none() && !file.url.as_ref().is_some_and(web) {
                return Err(R::Invalid {
                    field: "url",
                    reason: "a file is uploaded, or found at an http(s) URL",
                });
            }
            if matches!(entry, DirectoryEntry::File(current) if *current == file) {
                return Ok(Vec::new());
            }
            Ok(vec![E::FileAdded {
                name: file.name,
                media_type: file.media_type,
                size_bytes: file.size_bytes,
                url: file.url,
                sha256: file.sha256,
            }])
        }
        C::RemoveFile => match entry {
            DirectoryEntry::File(_) => Ok(vec![E::FileRemoved {}]),
            _ => Err(R::UnknownFile),
        },
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
