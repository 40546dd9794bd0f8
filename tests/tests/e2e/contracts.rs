//! The contracts integrators read, checked by the ecosystem's own validators (installed
//! by `deploy/dev`): the AsyncAPI document by the official `@asyncapi/parser`, every
//! JSON Schema by Python's `jsonschema`, each service's OpenAPI document by
//! `openapi-spec-validator`, and the services themselves by schemathesis' fuzzing.

use std::process::Output;

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::Stack;
use caselog_testkit::tools;

fn stdout_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn the_asyncapi_document_parses_with_the_official_parser() {
    let root = tools::repository();
    let output = tokio::process::Command::new("node")
        .arg(root.join("tools/contract/validate_asyncapi.cjs"))
        .arg(root.join("schemas/generated/asyncapi.json"))
        .arg(tools::node_modules())
        .output()
        .await
        .expect("node runs (deploy/dev installs nodejs and @asyncapi/parser)");
    let report = stdout_of(&output);
    assert!(output.status.success(), "{report}");
    assert!(report.contains("parsed: AsyncAPI 3.1.0"), "{report}");
    assert!(
        !report.contains("error:") && !report.contains("warning:"),
        "{report}"
    );
}

#[tokio::test]
async fn every_json_schema_is_valid_2020_12_and_its_references_resolve() {
    let root = tools::repository();
    let output = tokio::process::Command::new(tools::python())
        .arg(root.join("tools/contract/validate_schemas.py"))
        .arg(root.join("schemas/generated"))
        .output()
        .await
        .expect("the venv's Python runs (deploy/dev installs jsonschema)");
    let report = stdout_of(&output);
    assert!(output.status.success(), "{report}");
    let summary: serde_json::Value =
        serde_json::from_str(report.lines().last().unwrap_or_default()).unwrap();
    assert_eq!(summary["failures"], 0, "{report}");
    assert!(summary["files"].as_u64().unwrap() > 60, "{report}");
}

#[tokio::test]
async fn every_service_serves_an_openapi_document_that_validates() {
    let stack = Stack::start().await;
    for (service, base) in [
        ("command", &stack.command.base_url),
        ("query", &stack.query.base_url),
        ("projection", &stack.projection.base_url),
    ] {
        let document = stack.fetch_json(&format!("{base}/openapi.json")).await;
        assert_eq!(document["openapi"], "3.1.0", "{service}");
        assert!(
            document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
                .as_array()
                .is_some_and(|types| types.contains(&json!("caselog:validation"))),
            "{service} documents the problem types"
        );
        let path = std::env::temp_dir().join(format!("caselog-openapi-{}.json", Uuid::now_v7()));
        std::fs::write(&path, document.to_string()).unwrap();
        let output = tokio::process::Command::new(tools::python_script("openapi-spec-validator"))
            .arg(&path)
            .output()
            .await
            .expect("openapi-spec-validator runs (deploy/dev installs it)");
        let _ = std::fs::remove_file(&path);
        let report = stdout_of(&output);
        assert!(output.status.success(), "{service}: {report}");
        assert!(report.trim_end().ends_with(": OK"), "{service}: {report}");
    }
    let command = stack
        .fetch_json(&format!("{}/openapi.json", stack.command.base_url))
        .await;
    let assign = &command["paths"]["/v1/conversations/{id}/assign"]["post"];
    let headers: Vec<&str> = assign["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|parameter| parameter["in"] == "header")
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    assert_eq!(headers, ["Idempotency-Key", "If-Match"]);
    stack.stop().await;
}

/// `schemathesis run --checks all` with bounded examples, against a stack of its own,
/// with the token of a role that reads and writes most routes.
async fn fuzz_as(role: Role) {
    // A generated X-Min-Position mostly lies ahead: answer its 503 quickly.
    let stack = Stack::start_with(&[("CASELOG_MIN_POSITION_WAIT_MS", "100".to_owned())]).await;
    let tenant = Uuid::now_v7();
    let owner = stack.session(tenant, Uuid::now_v7(), Role::Owner);
    let caller = stack.session(tenant, Uuid::now_v7(), role);
    owner.register(&owner, "owner").await;
    owner.register(&caller, role.as_str()).await;
    let config = tools::repository().join("tools/contract/schemathesis.toml");
    for base in [
        &stack.command.base_url,
        &stack.query.base_url,
        &stack.projection.base_url,
    ] {
        let output = tokio::process::Command::new(tools::python_script("schemathesis"))
            .arg("--config-file")
            .arg(&config)
            .args(["run", &format!("{base}/openapi.json"), "--checks", "all"])
            .args(["--max-examples", "5", "--workers", "2", "--no-color"])
            .args(["--generation-database", "none"])
            // A server-sent-events stream never ends: nothing to fuzz there.
            .args(["--exclude-path-regex", "/stream$"])
            .args(["-H", &format!("Authorization: Bearer {}", caller.token)])
            .output()
            .await
            .expect("schemathesis runs (deploy/dev installs it)");
        let report = stdout_of(&output);
        assert!(
            output.status.success(),
            "schemathesis as {role:?} against {base}:\n{report}"
        );
        assert!(report.contains("Tested:"), "{report}");
    }
    stack.stop().await;
}

#[tokio::test]
async fn schemathesis_finds_nothing_with_an_admin_token() {
    fuzz_as(Role::Admin).await;
}

#[tokio::test]
async fn schemathesis_finds_nothing_with_an_agent_token() {
    fuzz_as(Role::Agent).await;
}
