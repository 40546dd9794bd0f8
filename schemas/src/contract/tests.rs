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
    assert_eq!(asyncapi["asyncapi"], "3.0.0");
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
