//! The rules of the directory (README "A support day with curl"). An upsert that
//! changes nothing appends nothing, so `PUT` is idempotent by content.

use uuid::Uuid;

use caselog_schemas::events::DirectoryEvent as E;

use super::command::{ContactDetails, DirectoryCommand as C, SnippetFields};
use super::rejection::DirectoryRejection as R;
use super::state::{Contact, DirectoryEntry, User};

/// At most this many snippets per tenant.
pub const SNIPPET_LIMIT: usize = 5000;

/// Decides what `command` does to the entry with id `id`.
pub fn decide(id: Uuid, entry: &DirectoryEntry, command: C) -> Result<Vec<E>, R> {
    match command {
        C::UpsertUser(details) => {
            require_kind(id, entry, "user")?;
            require_text("name", &details.name)?;
            require_email(&details.email)?;
            let user = User {
                name: details.name.trim().to_owned(),
                email: details.email.trim().to_owned(),
                role: details.role,
                groups: unique(details.groups),
            };
            if matches!(entry, DirectoryEntry::User(current) if *current == user) {
                return Ok(Vec::new());
            }
            Ok(vec![E::UserUpserted {
                name: user.name,
                email: user.email,
                role: user.role,
                groups: user.groups,
            }])
        }
        C::EraseUser => match entry {
            DirectoryEntry::User(_) => Ok(vec![E::UserErased {}]),
            // Erased already: the retry of an erasure changes nothing.
            DirectoryEntry::ErasedUser => Ok(Vec::new()),
            _ => Err(R::UnknownUser { id }),
        },
        C::UpsertGroup { name } => {
            require_kind(id, entry, "group")?;
            require_text("name", &name)?;
            let name = name.trim().to_owned();
            if matches!(entry, DirectoryEntry::Group { name: current } if *current == name) {
                return Ok(Vec::new());
            }
            Ok(vec![E::GroupUpserted { name }])
        }
        C::UpsertContact {
            details,
            auto_assign,
            visible_to,
        } => {
            require_kind(id, entry, "contact")?;
            require_text("name", &details.name)?;
            if let Some(email) = &details.email {
                require_email(email)?;
            }
            if let Some(country) = &details.country {
                let is_code = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
                if !is_code {
                    return Err(R::Invalid {
                        field: "country",
                        reason: "must be an ISO 3166-1 alpha-2 code such as PT",
                    });
                }
            }
            let auto_assign = unique(auto_assign);
            let visible_to = visible_to.map(unique);
            if let Some(list) = &visible_to
                && let Some(outside) = auto_assign.iter().find(|user| !list.contains(user))
            {
                return Err(R::PresetAssigneeNotVisible { user: *outside });
            }
            let details = ContactDetails {
                name: details.name.trim().to_owned(),
                ..details
            };
            let current = match entry {
                DirectoryEntry::Contact(contact) => contact.clone(),
                _ => Contact::default(),
            };
            let mut events = Vec::new();
            if matches!(entry, DirectoryEntry::Empty) || current.details != details {
                events.push(E::ContactUpserted {
                    name: details.name,
                    firstname: details.firstname,
                    lastname: details.lastname,
                    email: details.email,
                    phone: details.phone,
                    country: details.country,
                    group_id: details.group_id,
                });
            }
            if current.auto_assign != auto_assign || current.visible_to != visible_to {
                events.push(E::ContactPresetsSet {
                    auto_assign,
                    visible_to,
                });
            }
            Ok(events)
        }
        C::UpdateSettings(settings) => {
            require_kind(id, entry, "settings")?;
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
        } => {
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
    }
}

fn require_kind(id: Uuid, entry: &DirectoryEntry, wanted: &'static str) -> Result<(), R> {
    let existing = entry.kind();
    if matches!(entry, DirectoryEntry::Empty) || existing == wanted {
        Ok(())
    } else {
        Err(R::IdTakenByAnotherKind {
            id,
            existing,
            wanted,
        })
    }
}

fn require_text(field: &'static str, text: &str) -> Result<(), R> {
    if text.trim().is_empty() {
        Err(R::Blank { field })
    } else {
        Ok(())
    }
}

fn require_email(email: &str) -> Result<(), R> {
    let email = email.trim();
    let plausible = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if plausible {
        Ok(())
    } else {
        Err(R::Invalid {
            field: "email",
            reason: "is not an email address",
        })
    }
}

fn valid_snippet(fields: SnippetFields) -> Result<SnippetFields, R> {
    require_text("name", &fields.name)?;
    require_text("text", &fields.text)?;
    Ok(SnippetFields {
        name: fields.name.trim().to_owned(),
        theme: fields
            .theme
            .map(|theme| theme.trim().to_owned())
            .filter(|theme| !theme.is_empty()),
        text: fields.text,
    })
}

/// Keeps the first occurrence of each id, in order.
fn unique<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}
