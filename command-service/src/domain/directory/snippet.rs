//! Snippet variables: `$contact.name`, `$contact.firstname`, `$contact.lastname`,
//! `$contact.email`, `$contact.country` and `$contact.id`, expanded from the contact the
//! reply goes to. A variable the contact has no value for becomes empty; anything else
//! that merely looks like a variable is left as written.

use uuid::Uuid;

/// What a snippet may say about the contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactVariables {
    pub id: Uuid,
    pub name: String,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
}

const PREFIX: &str = "$contact.";

/// Expands the contact variables in a snippet's text.
pub fn expand_snippet(text: &str, contact: &ContactVariables) -> String {
    let mut expanded = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(PREFIX) {
        expanded.push_str(&rest[..start]);
        let after_prefix = &rest[start + PREFIX.len()..];
        let name_length = after_prefix
            .find(|c: char| !c.is_ascii_lowercase())
            .unwrap_or(after_prefix.len());
        let value = match &after_prefix[..name_length] {
            "name" => Some(contact.name.clone()),
            "firstname" => Some(contact.firstname.clone().unwrap_or_default()),
            "lastname" => Some(contact.lastname.clone().unwrap_or_default()),
            "email" => Some(contact.email.clone().unwrap_or_default()),
            "country" => Some(contact.country.clone().unwrap_or_default()),
            "id" => Some(contact.id.to_string()),
            _ => None,
        };
        match value {
            Some(value) => {
                expanded.push_str(&value);
                rest = &after_prefix[name_length..];
            }
            None => {
                expanded.push_str(PREFIX);
                rest = after_prefix;
            }
        }
    }
    expanded.push_str(rest);
    expanded
}
