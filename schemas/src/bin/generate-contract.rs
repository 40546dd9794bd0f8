//! Writes the NATS contract (JSON Schemas and the AsyncAPI document) to
//! `schemas/generated/`, replacing what is there.

fn main() -> std::io::Result<()> {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    if directory.exists() {
        std::fs::remove_dir_all(&directory)?;
    }
    let files = caselog_schemas::contract::generate();
    for (path, text) in &files {
        let target = directory.join(path);
        std::fs::create_dir_all(target.parent().expect("files live in a directory"))?;
        std::fs::write(&target, text)?;
    }
    println!("wrote {} files to {}", files.len(), directory.display());
    Ok(())
}
