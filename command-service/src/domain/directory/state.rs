//! What a directory stream's history adds up to.

use std::collections::BTreeMap;

use uuid::Uuid;

use caselog_schemas::events::{DirectoryEvent, TenantSettings};
use caselog_schemas::{Role, UserId};

use super::command::{ContactDetails, FileFields, ItemFields};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub groups: Vec<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub details: ContactDetails,
    pub auto_assign: Vec<UserId>,
    pub visible_to: Option<Vec<UserId>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub name: String,
    pub text: String,
    pub theme: Option<String>,
}

/// One directory stream. An id names one kind of entry for good.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DirectoryEntry {
    #[default]
    Empty,
    User(User),
    /// A user who left: their name and email are erased; the id stays theirs.
    ErasedUser,
    /// A contact erased as a data subject: nothing of theirs is readable; the id can
    /// never be a contact again.
    ErasedContact,
    Group {
        name: String,
    },
    Contact(Contact),
    Settings(TenantSettings),
    SnippetLibrary(BTreeMap<Uuid, Snippet>),
    /// An integration's item (a deal, a task…), shareable as a card.
    Item(ItemFields),
    /// A file of the library.
    File(FileFields),
}

impl DirectoryEntry {
    pub fn kind(&self) -> &'static str {
        match self {
            DirectoryEntry::Empty => "nothing",
            DirectoryEntry::User(_) => "user",
            DirectoryEntry::ErasedUser => "erased user",
            DirectoryEntry::ErasedContact => "erased contact",
            DirectoryEntry::Group { .. } => "group",
            DirectoryEntry::Contact(_) => "contact",
            DirectoryEntry::Settings(_) => "settings",
            DirectoryEntry::SnippetLibrary(_) => "snippet library",
            DirectoryEntry::Item(_) => "item",
            DirectoryEntry::File(_) => "file",
        }
    }

    /// The tenant's settings: those stored, or the defaults before any change.
    pub fn settings(&self) -> TenantSettings {
        match self {
            DirectoryEntry::Settings(settings) => settings.clone(),
            _ => TenantSettings::default(),
        }
    }

    pub fn snippets(&self) -> Option<&BTreeMap<Uuid, Snippet>> {
        match self {
            DirectoryEntry::SnippetLibrary(snippets) => Some(snippets),
            _ => None,
        }
    }

    /// A snippet of the library created, changed or deleted.
    fn snippet_changed(self, event: &DirectoryEvent) -> Self {
        use DirectoryEvent as E;
        let mut snippets = match self {
            DirectoryEntry::SnippetLibrary(snippets) => snippets,
            _ => BTreeMap::new(),
        };
        match event {
            E::SnippetCreated {
                snippet_id,
                name,
                text,
                theme,
            }
            | E::SnippetUpdated {
                snippet_id,
                name,
                text,
                theme,
            } => {
                snippets.insert(
                    *snippet_id,
                    Snippet {
                        name: name.clone(),
                        text: text.clone(),
                        theme: theme.clone(),
                    },
                );
            }
            E::SnippetDeleted { snippet_id } => {
                snippets.remove(snippet_id);
            }
            _ => {}
        }
        DirectoryEntry::SnippetLibrary(snippets)
    }

    /// An integration's item, or a file of the library, as registered.
    fn registered(event: &DirectoryEvent) -> Self {
        use DirectoryEvent as E;
        match event {
            E::ItemRegistered {
                entity_type,
                entity_id,
                title,
                summary,
                url,
                access,
            } => DirectoryEntry::Item(ItemFields {
                entity_type: *entity_type,
                entity_id: entity_id.clone(),
                title: title.clone(),
                summary: summary.clone(),
                url: url.clone(),
                access: access.clone(),
            }),
            E::FileAdded {
                name,
                media_type,
                size_bytes,
                url,
                sha256,
            } => DirectoryEntry::File(FileFields {
                name: name.clone(),
                media_type: media_type.clone(),
                size_bytes: *size_bytes,
                url: url.clone(),
                sha256: sha256.clone(),
            }),
            _ => DirectoryEntry::Empty,
        }
    }

    /// Folds one event into the entry.
    pub fn evolve(self, event: &DirectoryEvent) -> Self {
        use DirectoryEvent as E;
        match (self, event) {
            (
                _,
                E::UserUpserted {
                    name,
                    email,
                    role,
                    groups,
                },
            ) => DirectoryEntry::User(User {
                name: name.clone(),
                email: email.clone(),
                role: *role,
                groups: groups.clone(),
            }),
            (_, E::UserErased {}) => DirectoryEntry::ErasedUser,
            (_, E::ContactErased {}) => DirectoryEntry::ErasedContact,
            (_, E::GroupUpserted { name }) => DirectoryEntry::Group { name: name.clone() },
            (
                entry,
                E::ContactUpserted {
                    name,
                    firstname,
                    lastname,
                    email,
                    phone,
                    country,
                    group_id,
                },
            ) => {
                let mut contact = match entry {
                    DirectoryEntry::Contact(contact) => contact,
                    _ => Contact::default(),
                };
                contact.details = ContactDetails {
                    name: name.clone(),
                    firstname: firstname.clone(),
                    lastname: lastname.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    country: country.clone(),
                    group_id: *group_id,
                };
                DirectoryEntry::Contact(contact)
            }
            (
                entry,
                E::ContactPresetsSet {
                    auto_assign,
                    visible_to,
                },
            ) => {
                let mut contact = match entry {
                    DirectoryEntry::Contact(contact) => contact,
                    _ => Contact::default(),
                };
                contact.auto_assign = auto_assign.clone();
                contact.visible_to = visible_to.clone();
                DirectoryEntry::Contact(contact)
            }
            (_, E::SettingsUpdated { settings }) => DirectoryEntry::Settings(settings.clone()),
            (
                entry,
                E::SnippetCreated { .. } | E::SnippetUpdated { .. } | E::SnippetDeleted { .. },
            ) => entry.snippet_changed(event),
            // Notification preferences belong to the chat (issue 5); they do not change
            // what the entry is.
            (entry, E::NotificationPreferencesSet { .. }) => entry,
            // Removed, the id may name the item again when it is registered again.
            (_, E::ItemRemoved {} | E::FileRemoved {}) => DirectoryEntry::Empty,
            (_, E::ItemRegistered { .. } | E::FileAdded { .. }) => Self::registered(event),
        }
    }

    pub fn from_history<'a>(events: impl IntoIterator<Item = &'a DirectoryEvent>) -> Self {
        events
            .into_iter()
            .fold(DirectoryEntry::Empty, DirectoryEntry::evolve)
    }
}
