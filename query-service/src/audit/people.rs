//! The people a case names, as the directory had them at each moment: a user's name
//! and role, a contact's name, read from their directory streams in the log (so an
//! export as of last year shows last year's names) and opened like any sealed field
//! ("[erased]" once erased).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use uuid::Uuid;

use caselog_eventlog::{LogReader, ReadError, make_readable};
use caselog_read_model::case_file::TimelineEntry;
use caselog_schemas::events::{DirectoryEvent, from_stored};
use caselog_schemas::{Position, StreamType, TenantId};

/// Who someone was at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    /// A user's role (`agent`, `admin`…), or `contact`.
    pub role: String,
}

/// Everyone a case names, each with their directory entries in log order.
#[derive(Debug, Clone, Default)]
pub struct People {
    entries: HashMap<Uuid, BTreeMap<i64, Person>>,
}

impl People {
    /// `id` as the directory had them at `position`.
    pub fn at(&self, id: Uuid, position: i64) -> Option<&Person> {
        self.entries
            .get(&id)?
            .range(..=position)
            .next_back()
            .map(|(_, person)| person)
    }

    /// `id`'s name at `position`, or a short form of the id when the directory never
    /// had them.
    pub fn name(&self, id: Uuid, position: i64) -> String {
        self.at(id, position)
            .map_or_else(|| short_id(id), |person| person.name.clone())
    }

    /// Like [`People::name`], but an id the directory never had is shown by the role it
    /// acted in (`integration 1e1222e1`: a channel gateway's token, say).
    pub fn name_as(&self, id: Uuid, position: i64, role: &str) -> String {
        match self.at(id, position) {
            Some(person) => person.name.clone(),
            None if role == "integration" => format!("integration {}", &id.to_string()[..8]),
            None => short_id(id),
        }
    }

    /// Records that `id` was `person` from `position` on.
    pub fn insert(&mut self, id: Uuid, position: i64, person: Person) {
        self.entries.entry(id).or_default().insert(position, person);
    }

    /// Reads the directory entries of everyone `entries` name, up to `up_to`.
    pub async fn load(
        reader: &LogReader,
        tenant_id: TenantId,
        entries: &[TimelineEntry],
        extra: &[Uuid],
        up_to: Position,
    ) -> Result<Self, ReadError> {
        let mut ids = named_ids(entries);
        ids.extend(extra.iter().copied());
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let directory = StreamType::new("directory").expect("a valid stream type");
        let mut events = reader
            .read_streams_until(tenant_id, &directory, &ids, up_to)
            .await?;
        make_readable(reader.pool(), &mut events).await?;
        let mut people = Self::default();
        for event in &events {
            let id = event.stream_id.0;
            let position = event.position.0;
            match from_stored(&event.event_type, &event.payload) {
                Ok(DirectoryEvent::UserUpserted { name, role, .. }) => {
                    let role = role.as_str().to_owned();
                    people.insert(id, position, Person { name, role });
                }
                Ok(DirectoryEvent::UserErased {}) => {
                    let role = people
                        .at(id, position)
                        .map_or_else(|| "user".to_owned(), |person| person.role.clone());
                    let name = "[erased]".to_owned();
                    people.insert(id, position, Person { name, role });
                }
                Ok(DirectoryEvent::ContactUpserted { name, .. }) => {
                    let role = "contact".to_owned();
                    people.insert(id, position, Person { name, role });
                }
                _ => {}
            }
        }
        Ok(people)
    }
}

/// The first block of an id: what is printed where no name is known.
pub fn short_id(id: Uuid) -> String {
    let text = id.to_string();
    format!("user {}", &text[..8])
}

/// Every id a timeline names: its actors and the people its events mention.
fn named_ids(entries: &[TimelineEntry]) -> BTreeSet<Uuid> {
    const PERSON_FIELDS: [&str; 13] = [
        "contact_id",
        "author",
        "from",
        "to",
        "reader",
        "user",
        "by",
        "deleted_by",
        "previous_agent",
        "assignees",
        "previous_assignees",
        "visible_to",
        "auto_assign",
    ];
    let mut ids = BTreeSet::new();
    let mut add = |value: &Value| {
        if let Some(id) = value.as_str().and_then(|text| Uuid::parse_str(text).ok()) {
            ids.insert(id);
        }
    };
    for entry in entries {
        add(&entry.actor["user_id"]);
        for field in PERSON_FIELDS {
            match &entry.data[field] {
                Value::Array(items) => items.iter().for_each(&mut add),
                value => add(value),
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_the_one_the_directory_had_at_the_position() {
        let id = Uuid::now_v7();
        let mut people = People::default();
        let person = |name: &str| Person {
            name: name.into(),
            role: "agent".into(),
        };
        people.insert(id, 10, person("Ana"));
        people.insert(id, 20, person("Ana Lima"));
        assert_eq!(people.at(id, 5), None);
        assert_eq!(people.name(id, 15), "Ana");
        assert_eq!(people.name(id, 20), "Ana Lima");
        assert_eq!(people.name(Uuid::nil(), 20), "user 00000000");
    }
}
