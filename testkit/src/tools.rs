//! The independent tools tests check caselog with, which `deploy/dev` installs: the
//! Python of `.dev/venv` (PyPI packages) and `.dev/node` (npm packages).

use std::path::PathBuf;

/// `CASELOG_TEST_PYTHON`: the venv's Python, with the PyPI test packages.
pub fn python() -> String {
    std::env::var("CASELOG_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// A console script installed next to the venv's Python (`openapi-spec-validator`,
/// `schemathesis`).
pub fn python_script(name: &str) -> PathBuf {
    let python = PathBuf::from(python());
    match python.parent() {
        Some(directory) if !directory.as_os_str().is_empty() => directory.join(name),
        _ => PathBuf::from(name),
    }
}

/// `CASELOG_TEST_NODE_MODULES`: the npm packages (`@asyncapi/parser`).
pub fn node_modules() -> PathBuf {
    std::env::var_os("CASELOG_TEST_NODE_MODULES").map_or_else(
        || repository().join(".dev/node/node_modules"),
        PathBuf::from,
    )
}

/// The repository's root, for its scripts and generated files.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit lives in the workspace")
        .to_path_buf()
}
