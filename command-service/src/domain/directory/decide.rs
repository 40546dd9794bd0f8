//! The rules of the directory (README "A support day with curl"). An upsert that
//! changes nothing appends nothing, so `PUT` is idempotent by content.

use uuid::Uuid;

use caselog_schemas::events::DirectoryEvent as E;

use super::command::{ContactDetails, DirectoryCommand as C, SnippetFields};
use super::rejection::DirectoryRejection as R;
use super::state::{Contact, DirectoryEntry, User};

mod items;
mod people;
mod workspace;

/// At most this many snippets per tenant.
pub const SNIPPET_LIMIT: usize = 5000;

/// Decides what `command` does to the entry with id `id`.
pub fn decide(id: Uuid, entry: &DirectoryEntry, command: C) -> Result<Vec<E>, R> {
    match command {
        C::UpsertUser(..)
        | C::EraseUser
        | C::EraseContact
        | C::UpsertGroup { .. }
        | C::UpsertContact { .. } => people::decide(id, entry, command),
        C::RegisterItem(..) | C::RemoveItem | C::AddFile(..) | C::RemoveFile => {
            items::decide(id, entry, command)
        }
        C::ChangeSettings(..)
        | C::CreateSnippet { .. }
        | C::UpdateSnippet { .. }
        | C::DeleteSnippet { .. }
        | C::SetNotificationPreferences { .. } => workspace::decide(id, entry, command),
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
