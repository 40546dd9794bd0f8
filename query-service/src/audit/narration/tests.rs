use chrono::TimeZone;
use serde_json::{Value, json};

use super::*;
use crate::audit::people::Person;

fn entry(kind: &str, actor: Value, data: Value) -> TimelineEntry {
    TimelineEntry {
        position: 20,
        stream_version: 2,
        at: chrono::Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
        actor,
        kind: kind.to_owned(),
        data,
    }
}

struct Cast {
    people: People,
    ana: Uuid,
    bruno: Uuid,
    maria: Uuid,
}

fn cast() -> Cast {
    let (ana, bruno, maria) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let mut people = People::default();
    let person = |name: &str, role: &str| Person {
        name: name.into(),
        role: role.into(),
    };
    people.insert(ana, 1, person("Ana Lima", "admin"));
    people.insert(bruno, 1, person("Bruno", "agent"));
    // Renamed after the entry: the entry keeps the name of its moment.
    people.insert(bruno, 30, person("Bruno Costa", "agent"));
    people.insert(maria, 1, person("Maria Silva", "contact"));
    Cast {
        people,
        ana,
        bruno,
        maria,
    }
}

#[test]
fn people_are_named_as_they_were_at_the_entry() {
    let Cast {
        people,
        ana,
        bruno,
        maria,
    } = cast();
    let assigned = entry(
        "conversation_assigned",
        json!({"user_id": ana, "role": "admin"}),
        json!({"assignees": [bruno], "previous_assignees": [], "automatic": false}),
    );
    let told = narrate(&assigned, &people, Some(maria));
    assert_eq!(told.actor_name, "Ana Lima");
    assert_eq!(told.text, "Ana Lima assigned the conversation to Bruno.");

    let received = entry(
        "message_received",
        json!({"user_id": null, "role": "integration"}),
        json!({"message_id": Uuid::nil(), "channel": "whatsapp", "received_at": "2026-11-21T08:00:00Z",
               "content": {"text": "Olá", "attachments": [{"name": "invoice.pdf",
               "media_type": "application/pdf", "size_bytes": 1200, "url": "https://files/1"}]}}),
    );
    assert_eq!(
        narrate(&received, &people, Some(maria)).text,
        "Maria Silva wrote by whatsapp: Olá\n\
         Attachment: invoice.pdf (application/pdf, 1200 bytes) https://files/1"
    );
}

#[test]
fn no_entry_is_told_as_json() {
    let Cast {
        people, ana, maria, ..
    } = cast();
    let admin = json!({"user_id": ana, "role": "admin"});
    let cases = [
        (
            "conversation_closed",
            json!({"reason": "manual"}),
            "Ana Lima closed the conversation.",
        ),
        (
            "conversation_closed",
            json!({"reason": "auto_close"}),
            "caselog closed the conversation after it stayed resolved.",
        ),
        (
            "conversation_rated",
            json!({"score": 4, "comment": "Rápido"}),
            "Maria Silva rated the conversation 4 of 5: Rápido",
        ),
        (
            "invoice_attached",
            json!({"invoice_id": "F-1", "amount_minor": 12050, "currency": "EUR"}),
            "Ana Lima attached invoice F-1 for 120.50 EUR.",
        ),
        (
            "visibility_changed",
            json!({"visible_to": null}),
            "Ana Lima made the conversation visible to everyone in its group.",
        ),
    ];
    for (kind, data, expected) in cases {
        let told = narrate(&entry(kind, admin.clone(), data), &people, Some(maria));
        assert_eq!(told.text, expected);
        assert!(!told.text.contains('{'), "{}", told.text);
    }
}

#[test]
fn an_unknown_person_is_a_short_id_and_an_unknown_entry_its_kind() {
    let Cast { people, .. } = cast();
    let stranger = Uuid::parse_str("1e1222e1-0000-7000-8000-000000000000").unwrap();
    let note = entry(
        "private_note_added",
        json!({"user_id": stranger, "role": "agent"}),
        json!({"note_id": Uuid::nil(), "author": stranger, "text": "check"}),
    );
    let told = narrate(&note, &people, None);
    assert_eq!(told.text, "user 1e1222e1 added a private note: check");
    let unknown = entry(
        "something_new",
        json!({"user_id": null, "role": "system"}),
        json!({}),
    );
    assert_eq!(
        narrate(&unknown, &people, None).text,
        "caselog (something new)"
    );
    assert_eq!(money(-5, "USD"), "-0.05 USD");
    assert_eq!(money(500, "JPY"), "500 JPY");
}
