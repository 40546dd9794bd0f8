//! Events of the `directory` streams. Users, groups and contacts are each a stream whose
//! id is the entity's id; the tenant's settings are the stream whose id is the tenant id;
//! the tenant's snippet library is one stream (id [`snippet_library_id`]) so the
//! 5000-snippet limit is checked against one stream version, race-free.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::chat::CardEntityType;
use crate::ids::UserId;
use crate::role::Role;

/// The stream id of a tenant's snippet library.
pub fn snippet_library_id(tenant_id: Uuid) -> Uuid {
    Uuid::new_v5(&tenant_id, b"caselog:snippet-library")
}

/// The directory stream of an item an integration registered (a deal, a task…):
/// one per tenant, type and the source module's id.
pub fn item_id(tenant_id: Uuid, entity_type: CardEntityType, entity_id: &str) -> Uuid {
    Uuid::new_v5(
        &tenant_id,
        format!("caselog:item:{}:{entity_id}", entity_type.as_str()).as_bytes(),
    )
}

/// Who may open an integration's item: these users, the members of these groups, and
/// the users of these roles. All empty: every staff member.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
pub struct ItemAccess {
    #[serde(default)]
    pub users: Vec<UserId>,
    #[serde(default)]
    pub groups: Vec<Uuid>,
    #[serde(default)]
    pub roles: Vec<Role>,
}

impl ItemAccess {
    /// Whether a user of `role` in `groups` may open the item.
    pub fn allows(&self, user: UserId, role: Role, groups: &[Uuid]) -> bool {
        let open = self.users.is_empty() && self.groups.is_empty() && self.roles.is_empty();
        (open && role.is_staff())
            || self.users.contains(&user)
            || self.roles.contains(&role)
            || self.groups.iter().any(|group| groups.contains(group))
    }
}

/// A tenant's settings, stored whole on each change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TenantSettings {
    /// Seconds after which a resolved conversation closes by itself; `None`: never.
    /// (The API speaks in minutes; seconds let a test wait a moment instead of one.)
    pub auto_close_seconds: Option<u32>,
    /// Agents must accept an offered chat before replying.
    pub require_accept: bool,
    pub internal_chat_enabled: bool,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            auto_close_seconds: Some(15 * 60),
            require_accept: false,
            internal_chat_enabled: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event_type", content = "payload")]
pub enum DirectoryEvent {
    UserUpserted {
        name: String,
        email: String,
        role: Role,
        groups: Vec<Uuid>,
    },
    /// The user left: their name and email are erased (their data key destroyed) and
    /// the id can never be a user again. What they did stays, under their id.
    UserErased {},
    GroupUpserted {
        name: String,
    },
    ContactUpserted {
        name: String,
        firstname: Option<String>,
        lastname: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        country: Option<String>,
        group_id: Option<Uuid>,
    },
    /// The contact was erased as a data subject: their name, email and phone are gone
    /// (their data key destroyed), every conversation of theirs was erased before this,
    /// and the id can never be a contact again.
    ContactErased {},
    ContactPresetsSet {
        auto_assign: Vec<UserId>,
        visible_to: Option<Vec<UserId>>,
    },
    SnippetCreated {
        snippet_id: Uuid,
        name: String,
        text: String,
        theme: Option<String>,
    },
    SnippetUpdated {
        snippet_id: Uuid,
        name: String,
        text: String,
        theme: Option<String>,
    },
    SnippetDeleted {
        snippet_id: Uuid,
    },
    SettingsUpdated {
        settings: TenantSettings,
    },
    NotificationPreferencesSet {
        mention: DeliveryPreference,
        dm: DeliveryPreference,
        announcement: DeliveryPreference,
    },
    /// An integration registered (or updated) one of its module's items, so staff can
    /// share it as a card: what it shows and who may open it.
    ItemRegistered {
        entity_type: CardEntityType,
        entity_id: String,
        title: String,
        summary: Option<String>,
        url: String,
        access: ItemAccess,
    },
    /// The item is gone from its module: its cards show it unavailable.
    ItemRemoved {},
    /// A file in the tenant's library, for agents to attach: at a URL, or uploaded
    /// (stored beside the log and named by its SHA-256).
    FileAdded {
        name: String,
        media_type: String,
        size_bytes: u64,
        url: Option<String>,
        sha256: Option<String>,
    },
    /// The file left the library (an uploaded object's bytes stay, like the log).
    FileRemoved {},
}

/// Where one kind of chat notification goes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
pub struct DeliveryPreference {
    pub bell: bool,
    pub email: bool,
}

/// A user's chat notification preferences: the payload of `NotificationPreferencesSet`
/// as read models keep it. A kind left out goes where the default sends it.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
pub struct NotificationPreferences {
    #[serde(default)]
    pub mention: DeliveryPreference,
    #[serde(default)]
    pub dm: DeliveryPreference,
    #[serde(default)]
    pub announcement: DeliveryPreference,
}

/// Until a user says otherwise: to the bell, not by email.
impl Default for DeliveryPreference {
    fn default() -> Self {
        Self {
            bell: true,
            email: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ConversationEvent, MessageContent, from_stored, to_stored};

    #[test]
    fn an_event_is_stored_as_its_type_name_and_a_plain_payload() {
        let event = ConversationEvent::TopicSet {
            topic: "refund".into(),
        };
        let (event_type, payload) = to_stored(&event);
        assert_eq!(event_type, "TopicSet");
        assert_eq!(payload, serde_json::json!({"topic": "refund"}));
        assert_eq!(
            from_stored::<ConversationEvent>(&event_type, &payload).unwrap(),
            event
        );
    }

    #[test]
    fn events_without_fields_store_an_empty_object() {
        let (event_type, payload) = to_stored(&ConversationEvent::ConversationResolved {});
        assert_eq!(
            (event_type.as_str(), payload),
            ("ConversationResolved", serde_json::json!({}))
        );
        let (event_type, payload) = to_stored(&ConversationEvent::ConversationDeleted {});
        assert_eq!(
            from_stored::<ConversationEvent>(&event_type, &payload).unwrap(),
            ConversationEvent::ConversationDeleted {}
        );
    }

    #[test]
    fn message_content_omits_what_it_does_not_carry() {
        let content = MessageContent::text("olá 👋");
        assert_eq!(
            serde_json::to_value(&content).unwrap(),
            serde_json::json!({"text": "olá 👋"})
        );
        assert!(!content.is_empty());
        assert!(MessageContent::text("   ").is_empty());
    }

    #[test]
    fn snippet_events_name_their_snippet_in_the_library_stream() {
        let tenant = Uuid::from_u128(7);
        assert_eq!(snippet_library_id(tenant), snippet_library_id(tenant));
        assert_ne!(snippet_library_id(tenant), tenant);
        let deleted = DirectoryEvent::SnippetDeleted {
            snippet_id: Uuid::from_u128(3),
        };
        let (event_type, payload) = to_stored(&deleted);
        assert_eq!(
            from_stored::<DirectoryEvent>(&event_type, &payload).unwrap(),
            deleted
        );
    }

    #[test]
    fn an_unknown_event_type_does_not_decode() {
        assert!(
            from_stored::<ConversationEvent>("ConversationTeleported", &serde_json::json!({}))
                .is_err()
        );
    }
}
