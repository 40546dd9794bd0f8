//! `@<user id>` mentions in a message's text.

use uuid::Uuid;

use caselog_schemas::UserId;

/// The users mentioned as `@<uuid>` in `text`, in order of first mention.
pub fn mentions_in(text: &str) -> Vec<UserId> {
    let mut found: Vec<UserId> = Vec::new();
    for (at, _) in text.match_indices('@') {
        let candidate = text[at + 1..].get(..36).unwrap_or_default();
        if let Ok(id) = Uuid::try_parse(candidate) {
            let user = UserId(id);
            if !found.contains(&user) {
                found.push(user);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_user_ids_after_an_at_sign() {
        let ana = "0190a4c2-6c1e-7d2b-9a43-5f0e2b1c3d4e";
        let rui = "0190a4c2-6c1e-7d2b-9a43-5f0e2b1c3d4f";
        let text = format!("@{ana} and @{rui}, also @{ana} again; mail@example.com @nobody");
        let mentioned = mentions_in(&text);
        assert_eq!(
            mentioned,
            vec![UserId(ana.parse().unwrap()), UserId(rui.parse().unwrap())]
        );
        assert!(mentions_in("olá 👋 @").is_empty());
    }
}
