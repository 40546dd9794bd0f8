//! What can be asked of a directory entry. Ids travel in the command; the stream id is
//! the entry's id (or the tenant's, for settings and the snippet library).

use uuid::Uuid;

use caselog_schemas::events::{CardEntityType, DeliveryPreference, ItemAccess, TenantSettings};
use caselog_schemas::{Role, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetails {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub groups: Vec<Uuid>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDetails {
    pub name: String,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub group_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetFields {
    pub name: String,
    pub text: String,
    pub theme: Option<String>,
}

/// What a settings command changes; `None` leaves that setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// `Some(None)`: resolved conversations never close by themselves.
    pub auto_close_seconds: Option<Option<u32>>,
    pub require_accept: Option<bool>,
    pub internal_chat_enabled: Option<bool>,
}

impl SettingsChange {
    /// The settings after the change: what it names, and `current` for the rest.
    pub fn applied_to(&self, current: TenantSettings) -> TenantSettings {
        TenantSettings {
            auto_close_seconds: self
                .auto_close_seconds
                .unwrap_or(current.auto_close_seconds),
            require_accept: self.require_accept.unwrap_or(current.require_accept),
            internal_chat_enabled: self
                .internal_chat_enabled
                .unwrap_or(current.internal_chat_enabled),
        }
    }
}

/// An integration's item as it registers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub entity_type: CardEntityType,
    pub entity_id: String,
    pub title: String,
    pub summary: Option<String>,
    pub url: String,
    pub access: ItemAccess,
}

/// A file of the library: at a URL, or uploaded (named by its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFields {
    pub name: String,
    pub media_type: String,
    pub size_bytes: u64,
    pub url: Option<String>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryCommand {
    UpsertUser(UserDetails),
    /// The user left: erase their name and email for good.
    EraseUser,
    /// Erase a contact as a data subject (after their conversations).
    EraseContact,
    UpsertGroup {
        name: String,
    },
    /// Details and presets together, as `PUT /v1/contacts/{id}` carries them.
    UpsertContact {
        details: ContactDetails,
        auto_assign: Vec<UserId>,
        visible_to: Option<Vec<UserId>>,
    },
    /// Changes the settings it names (a full replacement names them all).
    ChangeSettings(SettingsChange),
    /// An integration registers (or updates) one of its items.
    RegisterItem(ItemFields),
    RemoveItem,
    /// Adds (or replaces) a file of the library.
    AddFile(FileFields),
    RemoveFile,
    CreateSnippet {
        snippet_id: Uuid,
        fields: SnippetFields,
    },
    UpdateSnippet {
        snippet_id: Uuid,
        fields: SnippetFields,
    },
    DeleteSnippet {
        snippet_id: Uuid,
    },
    /// Which chat notifications go to the user's bell and email.
    SetNotificationPreferences {
        mention: DeliveryPreference,
        dm: DeliveryPreference,
        announcement: DeliveryPreference,
        /// The tenant's chat switch: with the chat module off, nothing is set.
        chat_enabled: bool,
    },
}
