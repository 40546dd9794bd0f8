//! Users, groups and contacts of the tenant.

use super::*;

/// Decides one of this group's commands (`decide` sends no other here).
pub(super) fn decide(id: Uuid, entry: &DirectoryEntry, command: C) -> Result<Vec<E>, R> {
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
        C::EraseContact => match entry {
            DirectoryEntry::Contact(_) => Ok(vec![E::ContactErased {}]),
            // Erased already: the retry of an erasure changes nothing.
            DirectoryEntry::ErasedContact => Ok(Vec::new()),
            _ => Err(R::UnknownContact { id }),
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
        other => unreachable!("not a command of this group: {other:?}"),
    }
}
