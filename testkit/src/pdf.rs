//! Reading a PDF back with independent tools: poppler's `pdftotext` and `qpdf`
//! (installed by `deploy/dev`).

use std::path::PathBuf;
use std::process::Command;

fn scratch(bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("caselog-{}.pdf", uuid::Uuid::now_v7()));
    std::fs::write(&path, bytes).expect("write the PDF");
    path
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs (deploy/dev installs it): {e}"))
}

/// The text `pdftotext` extracts, in reading order.
pub fn text(bytes: &[u8]) -> String {
    let path = scratch(bytes);
    let output = run("pdftotext", &[path.as_os_str(), "-".as_ref()]);
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `qpdf --check`: whether the file's structure is sound, and what qpdf said.
pub fn check(bytes: &[u8]) -> (bool, String) {
    let path = scratch(bytes);
    let output = run("qpdf", &["--check".as_ref(), path.as_os_str()]);
    let _ = std::fs::remove_file(&path);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// The whole file with every stream uncompressed and no object streams (`qpdf --qdf`),
/// so its objects and names can be searched as text.
pub fn uncompressed(bytes: &[u8]) -> String {
    let input = scratch(bytes);
    let output_path = input.with_extension("qdf.pdf");
    let output = run(
        "qpdf",
        &[
            "--qdf".as_ref(),
            "--object-streams=disable".as_ref(),
            input.as_os_str(),
            output_path.as_os_str(),
        ],
    );
    assert!(output.status.success(), "qpdf --qdf failed: {output:?}");
    let text = String::from_utf8_lossy(&std::fs::read(&output_path).expect("read")).into_owned();
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&output_path);
    text
}

/// The PDF/A conformance report of `page` (PyPI's `page-validation`, which passes the
/// veraPDF and Isartor test suites; `deploy/dev` installs it): the profile the file
/// declares, and each rule it breaks. Empty failures: conformant.
pub fn pdf_a_failures(bytes: &[u8]) -> (String, Vec<String>) {
    let path = scratch(bytes);
    let python = crate::tools::python();
    let script = "import page, sys\n\
                  report = page.validate_pdf(sys.argv[1])\n\
                  print(report.profile)\n\
                  for failure in report.failures: print(failure.rule_id, failure.message)\n";
    let output = run(&python, &["-c".as_ref(), script.as_ref(), path.as_os_str()]);
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "page failed: {output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut lines = stdout.lines().map(str::to_owned);
    let profile = lines.next().unwrap_or_default();
    (profile, lines.collect())
}
