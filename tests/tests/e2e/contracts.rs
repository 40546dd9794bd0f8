//! The contracts integrators read, checked by the ecosystem's own validators (installed
//! by `deploy/dev`): the AsyncAPI document by the official `@asyncapi/parser`, every
//! JSON Schema by Python's `jsonschema`.

use std::process::Output;

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
