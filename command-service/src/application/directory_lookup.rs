//! What a command needs from the directory, read from the log itself (never from a read
//! model, which may lag): the tenant's settings, a contact (and a conversation's), a
//! snippet, and whether ids are users or groups of the tenant.

use std::collections::{BTreeMap, HashSet};

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::events::{CardEntityType, TenantSettings, item_id, snippet_library_id};
use caselog_schemas::{TenantId, UserId};

use super::executor::{CommandExecutor, ExecuteError};
use super::{conversation_stream, directory_stream};
use crate::domain::conversation::Conversation;
use crate::domain::directory::{Contact, DirectoryEntry, FileFields, ItemFields, Snippet};

#[derive(Clone)]
pub struct DirectoryLookup {
    executor: CommandExecutor,
}

impl DirectoryLookup {
    pub fn new(executor: CommandExecutor) -> Self {
        Self { executor }
    }

    async fn entry(&self, tenant_id: TenantId, id: Uuid) -> Result<DirectoryEntry, ReadError> {
        match self
            .executor
            .load::<DirectoryEntry, ()>(&directory_stream(tenant_id, id))
            .await
        {
            Ok(loaded) => Ok(loaded.state),
            Err(ExecuteError::Read(error)) => Err(error),
            Err(other) => Err(ReadError::Undecodable {
                position: 0,
                reason: other.to_string(),
            }),
        }
    }

    /// The contact a conversation is with (`None` before it starts): whose details a
    /// snippet in a reply is filled with.
    pub async fn contact_of_conversation(
        &self,
        tenant_id: TenantId,
        conversation_id: Uuid,
    ) -> Result<Option<Uuid>, ReadError> {
        match self
            .executor
            .load::<Conversation, ()>(&conversation_stream(tenant_id, conversation_id))
            .await
        {
            Ok(loaded) => Ok(loaded.state.contact_id),
            // An erased conversation takes no reply; `decide` says so.
            Err(ExecuteError::Erased) => Ok(None),
            Err(ExecuteError::Read(error)) => Err(error),
            Err(other) => Err(ReadError::Undecodable {
                position: 0,
                reason: other.to_string(),
            }),
        }
    }

    pub async fn settings(&self, tenant_id: TenantId) -> Result<TenantSettings, ReadError> {
        Ok(self.entry(tenant_id, tenant_id.0).await?.settings())
    }

    pub async fn contact(
        &self,
        tenant_id: TenantId,
        contact_id: Uuid,
    ) -> Result<Option<Contact>, ReadError> {
        Ok(match self.entry(tenant_id, contact_id).await? {
            DirectoryEntry::Contact(contact) => Some(contact),
            _ => None,
        })
    }

    pub async fn snippet(
        &self,
        tenant_id: TenantId,
        snippet_id: Uuid,
    ) -> Result<Option<Snippet>, ReadError> {
        let library = self
            .entry(tenant_id, snippet_library_id(tenant_id.0))
            .await?;
        Ok(library
            .snippets()
            .and_then(|snippets| snippets.get(&snippet_id))
            .cloned())
    }

    /// A file of the library, if it is one.
    pub async fn file(
        &self,
        tenant_id: TenantId,
        file_id: Uuid,
    ) -> Result<Option<FileFields>, ReadError> {
        Ok(match self.entry(tenant_id, file_id).await? {
            DirectoryEntry::File(file) => Some(file),
            _ => None,
        })
    }

    /// An integration's registered item, if it is registered.
    pub async fn item(
        &self,
        tenant_id: TenantId,
        entity_type: CardEntityType,
        entity_id: &str,
    ) -> Result<Option<ItemFields>, ReadError> {
        let id = item_id(tenant_id.0, entity_type, entity_id);
        Ok(match self.entry(tenant_id, id).await? {
            DirectoryEntry::Item(item) => Some(item),
            _ => None,
        })
    }

    /// The groups each of `users` belongs to (none for an id that is no user).
    pub async fn groups_of(
        &self,
        tenant_id: TenantId,
        users: &[UserId],
    ) -> Result<BTreeMap<UserId, Vec<Uuid>>, ReadError> {
        let mut groups = BTreeMap::new();
        for user in users {
            if let DirectoryEntry::User(entry) = self.entry(tenant_id, user.0).await? {
                groups.insert(*user, entry.groups);
            }
        }
        Ok(groups)
    }

    /// The ids among `users` that are not users of the tenant.
    pub async fn unknown_users(
        &self,
        tenant_id: TenantId,
        users: &[UserId],
    ) -> Result<Vec<UserId>, ReadError> {
        let ids: Vec<Uuid> = users.iter().map(|user| user.0).collect();
        let known = self.known(tenant_id, &ids, "UserUpserted").await?;
        Ok(users
            .iter()
            .filter(|user| !known.contains(&user.0))
            .copied()
            .collect())
    }

    /// The ids among `groups` that are not groups of the tenant.
    pub async fn unknown_groups(
        &self,
        tenant_id: TenantId,
        groups: &[Uuid],
    ) -> Result<Vec<Uuid>, ReadError> {
        let known = self.known(tenant_id, groups, "GroupUpserted").await?;
        Ok(groups
            .iter()
            .filter(|group| !known.contains(group))
            .copied()
            .collect())
    }

    async fn known(
        &self,
        tenant_id: TenantId,
        ids: &[Uuid],
        upsert_event: &str,
    ) -> Result<HashSet<Uuid>, ReadError> {
        self.executor
            .reader()
            .directory_entries_of_kind(tenant_id, ids, upsert_event)
            .await
    }
}
