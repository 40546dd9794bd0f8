//! What a command needs checked and filled in from the directory before `decide`:
//! that ids are the tenant's users, groups and contacts, and a snippet expanded for
//! the contact a message goes to. Read from the log itself (`DirectoryLookup`), never
//! from a read model that may lag.

use uuid::Uuid;

use caselog_eventlog::ReadError;
use caselog_schemas::events::Attachment;
use caselog_schemas::{TenantId, UserId};

use super::DirectoryLookup;
use crate::domain::chat::mentions_in;
use crate::domain::conversation::ContactPresets;
use crate::domain::directory::{Contact, ContactVariables, expand_snippet};

/// Why a command's inputs are refused.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A field names something that is not the tenant's, or says two things at once.
    #[error("{0}")]
    Invalid(String),
    /// A field names something the caller may not see (or that does not exist).
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl DirectoryLookup {
    /// Refuses ids that are not users of the tenant, naming the field.
    pub async fn require_users(
        &self,
        tenant_id: TenantId,
        field: &str,
        users: &[UserId],
    ) -> Result<(), InputError> {
        match self.unknown_users(tenant_id, users).await?.first() {
            None => Ok(()),
            Some(user) => Err(InputError::Invalid(format!(
                "{field}: {user} is not a user of this tenant"
            ))),
        }
    }

    /// Every user a message mentions, in the list and as `@<user id>` in the text,
    /// must be the tenant's.
    pub async fn require_mentioned_users(
        &self,
        tenant_id: TenantId,
        text: Option<&str>,
        listed: &[UserId],
    ) -> Result<(), InputError> {
        let mut mentioned = listed.to_vec();
        mentioned.extend(text.map(mentions_in).unwrap_or_default());
        self.require_users(tenant_id, "mentions", &mentioned).await
    }

    /// The attachments the library's files `file_ids` make (a linked file at its URL, an
    /// uploaded one at its content route); an id that is no file is refused.
    pub async fn attachments_of(
        &self,
        tenant_id: TenantId,
        file_ids: &[Uuid],
    ) -> Result<Vec<Attachment>, InputError> {
        let mut attachments = Vec::with_capacity(file_ids.len());
        for id in file_ids {
            let file = self.file(tenant_id, *id).await?.ok_or_else(|| {
                InputError::Invalid(format!("file_ids: {id} is not a file of the library"))
            })?;
            attachments.push(Attachment {
                name: file.name,
                media_type: file.media_type,
                size_bytes: file.size_bytes,
                url: file
                    .url
                    .unwrap_or_else(|| format!("/v1/files/{id}/content")),
            });
        }
        Ok(attachments)
    }

    /// Refuses ids that are not groups of the tenant, naming the field.
    pub async fn require_groups(
        &self,
        tenant_id: TenantId,
        field: &str,
        groups: &[Uuid],
    ) -> Result<(), InputError> {
        match self.unknown_groups(tenant_id, groups).await?.first() {
            None => Ok(()),
            Some(group) => Err(InputError::Invalid(format!(
                "{field}: {group} is not a group of this tenant"
            ))),
        }
    }

    /// The tenant's contact `contact_id`, or a refusal naming the field.
    pub async fn require_contact(
        &self,
        tenant_id: TenantId,
        contact_id: Uuid,
    ) -> Result<Contact, InputError> {
        self.contact(tenant_id, contact_id).await?.ok_or_else(|| {
            InputError::Invalid(format!(
                "contact_id: {contact_id} is not a contact of this tenant"
            ))
        })
    }

    /// A message's text: as written, or the snippet `snippet_id` expanded for the
    /// contact (when the message goes to one).
    pub async fn message_text(
        &self,
        tenant_id: TenantId,
        text: Option<String>,
        snippet_id: Option<Uuid>,
        contact_id: Option<Uuid>,
    ) -> Result<Option<String>, InputError> {
        let Some(snippet_id) = snippet_id else {
            return Ok(text);
        };
        if text.is_some() {
            return Err(InputError::Invalid(
                "send text or snippet_id, not both".to_owned(),
            ));
        }
        let snippet = self.snippet(tenant_id, snippet_id).await?.ok_or_else(|| {
            InputError::Invalid(format!("snippet_id: {snippet_id} is not a snippet"))
        })?;
        let contact = match contact_id {
            Some(id) => self.contact(tenant_id, id).await?.map(|c| (id, c)),
            None => None,
        };
        let variables = contact
            .map(|(id, contact)| ContactVariables {
                id,
                name: contact.details.name,
                firstname: contact.details.firstname,
                lastname: contact.details.lastname,
                email: contact.details.email,
                country: contact.details.country,
            })
            .unwrap_or_default();
        Ok(Some(expand_snippet(&snippet.text, &variables)))
    }
}

/// A contact's presets, applied to each new conversation of that contact.
pub fn presets_of(contact: &Contact) -> ContactPresets {
    ContactPresets {
        auto_assign: contact.auto_assign.clone(),
        visible_to: contact.visible_to.clone(),
    }
}
