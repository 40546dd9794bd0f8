//! The tenant's settings, its snippet library, each user's notification preferences.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(id: Uuid, entry: &DirectoryEntry, command: C) -> Result<Vec<E>, R> {
    match command {
        C::ChangeSettings(change) => {
            require_kind(id, entry, "settings")?;
            let settings = change.applied_to(entry.settings());
            if settings.auto_close_seconds == Some(0) {
                return Err(R::Invalid {
                    field: "auto_close_minutes",
                    reason: "must be a positive delay, or null for never",
                });
            }
            if matches!(entry, DirectoryEntry::Settings(current) if *current == settings) {
                return Ok(Vec::new());
            }
            Ok(vec![E::SettingsUpdated { settings }])
        }
        C::CreateSnippet { snippet_id, fields } => {
            require_kind(id, entry, "snippet library")?;
            let fields = valid_snippet(fields)?;
            let snippets = entry.snippets();
            if snippets.is_some_and(|all| all.contains_key(&snippet_id)) {
                return Err(R::SnippetExists { snippet_id });
            }
            if snippets.map_or(0, |all| all.len()) >= SNIPPET_LIMIT {
                return Err(R::SnippetLimitReached {
                    limit: SNIPPET_LIMIT,
                });
            }
            Ok(vec![E::SnippetCreated {
                snippet_id,
                name: fields.name,
                text: fields.text,
                theme: fields.theme,
            }])
        }
        C::UpdateSnippet { snippet_id, fields } => {
            let fields = valid_snippet(fields)?;
            let current = entry
                .snippets()
                .and_then(|all| all.get(&snippet_id))
                .ok_or(R::UnknownSnippet { snippet_id })?;
            if current.name == fields.name
                && current.text == fields.text
                && current.theme == fields.theme
            {
                return Ok(Vec::new());
            }
            Ok(vec![E::SnippetUpdated {
                snippet_id,
                name: fields.name,
                text: fields.text,
                theme: fields.theme,
            }])
        }
        C::DeleteSnippet { snippet_id } => {
            if !entry
                .snippets()
                .is_some_and(|all| all.contains_key(&snippet_id))
            {
                return Err(R::UnknownSnippet { snippet_id });
            }
            Ok(vec![E::SnippetDeleted { snippet_id }])
        }
        C::SetNotificationPreferences {
            mention,
            dm,
            announcement,
            chat_enabled,
        } => {
            if !chat_enabled {
                return Err(R::ChatSwitchedOff);
            }
            // A user's own preferences, on their user stream: only a known user has one.
            if !matches!(entry, DirectoryEntry::User(_)) {
                return Err(R::NotAUser { id });
            }
            Ok(vec![E::NotificationPreferencesSet {
                mention,
                dm,
                announcement,
            }])
        }
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
