use super::*;

/// Fails when `schemas/generated/` is not what the code generates: run
/// `cargo run -p caselog-schemas --bin generate-contract`.
#[test]
fn the_generated_contract_is_up_to_date() {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let files = generate();
    for (path, expected) in &files {
        let found = std::fs::read_to_string(directory.join(path)).unwrap_or_default();
        assert!(
            &found == expected,
            "schemas/generated/{path} is stale: run `cargo run -p caselog-schemas --bin generate-contract`"
        );
    }
    let mut on_disk = Vec::new();
    for entry in walk(&directory) {
        on_disk.push(
            entry
                .strip_prefix(&directory)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        );
    }
    for path in on_disk {
        assert!(
            files.contains_key(&path),
            "schemas/generated/{path} is no longer generated"
        );
    }
}

fn walk(directory: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

#[test]
fn published_payloads_carry_personal_fields_only_sealed() {
    let files = generate();
    let received: Value =
        serde_json::from_str(&files["events/conversation/MessageReceived.v1.schema.json"]).unwrap();
    assert!(received["properties"].get("content").is_none());
    assert!(received["properties"].get("sealed").is_some());
    assert!(received["$defs"].get("SealedFields").is_some());
    let closed: Value =
        serde_json::from_str(&files["events/conversation/ConversationClosed.v2.schema.json"])
            .unwrap();
    assert_eq!(closed["x-caselog-schema-version"], 2);
    let asyncapi: Value = serde_json::from_str(&files["asyncapi.json"]).unwrap();
    assert_eq!(asyncapi["asyncapi"], "3.1.0");
    assert!(asyncapi["components"]["messages"]["conversation.MessageSent"].is_object());
}

/// `required` is a list of names or absent, never null: a payload whose fields are all
/// optional (HandedOffToHuman's) once came out with `"required": null`, which JSON
/// Schema validators and the AsyncAPI parser refuse.
#[test]
fn no_schema_has_a_null_keyword() {
    fn nulls(value: &Value, path: &str, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if child.is_null() && key != "default" && key != "const" {
                        found.push(format!("{path}/{key}"));
                    }
                    nulls(child, &format!("{path}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    nulls(child, &format!("{path}/{index}"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (path, text) in generate() {
        let document: Value = serde_json::from_str(&text).unwrap();
        nulls(&document, &path, &mut found);
    }
    assert!(found.is_empty(), "null keywords: {found:?}");
}

/// A version no longer written is still stored, so still read and replayed: every
/// version below the current one keeps its schema and its AsyncAPI message.
#[test]
fn every_schema_version_still_on_the_wire_is_described() {
    let files = generate();
    let asyncapi: Value = serde_json::from_str(&files["asyncapi.json"]).unwrap();
    let messages = asyncapi["components"]["messages"].as_object().unwrap();
    let mut described = 0;
    for key in messages.keys().filter(|key| key.matches('.').count() == 1) {
        let (stream_type, event_type) = key.split_once('.').unwrap();
        let current = current_schema_version(stream_type, event_type);
        for version in 1..current {
            let path = format!("events/{stream_type}/{event_type}.v{version}.schema.json");
            assert!(files.contains_key(&path), "{path} is generated");
            let old = format!("{key}.v{version}");
            assert!(
                messages.contains_key(&old),
                "the message {old} is described"
            );
            let channel = &asyncapi["channels"][format!("{stream_type}Events")]["messages"];
            assert!(
                channel.get(format!("{event_type}V{version}")).is_some(),
                "{old} is on its channel"
            );
            described += 1;
        }
    }
    assert!(described >= 1, "ConversationClosed v1 at least");
}
