//! README "For auditors": a period's cases in one ZIP — a PDF per case, their events
//! with hashes, the checkpoints and a manifest of SHA-256s — followed while it builds,
//! downloaded over HTTP or written by the CLI, and checked offline.

use std::io::Read;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use caselog_platform::settings::LOCAL_CHECKPOINT_PUBLIC_KEY;
use caselog_schemas::Role;
use caselog_testkit::pdf;
use caselog_testkit::stack::{Session, Stack};

use super::trusting_the_log::checkpointed;

/// Every file of a ZIP, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

/// Three cases of one tenant (and one of another, which no export of theirs holds).
async fn three_cases(stack: &Stack) -> (Session, Vec<String>) {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let mut cases = Vec::new();
    for name in ["Maria", "João", "Ana"] {
        let contact = admin.new_contact(name).await;
        cases.push(
            gateway
                .inbound(contact, "sms", &format!("Olá, sou {name}"))
                .await,
        );
    }
    let other = stack.session(Uuid::now_v7(), Uuid::now_v7(), Role::Admin);
    let contact = other.new_contact("Outsider").await;
    let outsider = stack.session(other.tenant, Uuid::now_v7(), Role::Integration);
    outsider.inbound(contact, "sms", "not theirs").await;
    (stack.session(tenant, Uuid::now_v7(), Role::Auditor), cases)
}

async fn finished(auditor: &Session, status: &str) -> Value {
    for _ in 0..300 {
        let job = auditor.get(status).await.ok().body;
        if job["status"] != "running" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the export did not finish within 30 s");
}

/// The manifest's SHA-256s hold, each case is a PDF, every event is the tenant's.
fn every_file_is_as_listed(files: &[(String, Vec<u8>)], auditor: &Session, cases: &[String]) {
    let manifest: Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(name, _)| name == "manifest.json")
            .unwrap()
            .1,
    )
    .unwrap();
    for listed in manifest["files"].as_array().unwrap() {
        let (_, bytes) = files
            .iter()
            .find(|(name, _)| listed["name"] == *name)
            .unwrap();
        assert_eq!(
            listed["sha256"],
            hex::encode(Sha256::digest(bytes)),
            "{listed}"
        );
    }
    for case in cases {
        let (_, pdf_bytes) = files
            .iter()
            .find(|(name, _)| *name == format!("cases/{case}.pdf"))
            .unwrap();
        assert!(pdf::text(pdf_bytes).contains("Case audit record"));
    }
    let events = &files
        .iter()
        .find(|(name, _)| name == "events.jsonl")
        .unwrap()
        .1;
    let lines: Vec<Value> = String::from_utf8_lossy(events)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .all(|event| event["tenant_id"] == auditor.tenant.to_string())
    );
    assert!(lines.iter().all(|event| event["hash"].as_str().is_some()));
}

/// `tools/caselog_verify.py --cases` over the archive's JSON Lines in `dir`.
async fn verified_offline(dir: &std::path::Path) -> Value {
    let python = caselog_testkit::tools::python();
    let verified = tokio::process::Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tools/caselog_verify.py"
        ))
        .args(["--jsonl", dir.join("events.jsonl").to_str().unwrap()])
        .args([
            "--checkpoints",
            dir.join("checkpoints.jsonl").to_str().unwrap(),
        ])
        .args(["--cases", "--public-key", LOCAL_CHECKPOINT_PUBLIC_KEY])
        .output()
        .await
        .unwrap();
    serde_json::from_slice(&verified.stdout).unwrap()
}

#[tokio::test]
async fn an_auditor_exports_a_period_and_checks_every_file_of_it() {
    let stack = Stack::start_with(&[("CASELOG_CHECKPOINT_INTERVAL_MS", "100".to_owned())]).await;
    let (auditor, cases) = three_cases(&stack).await;
    // A checkpoint signs the cases before they are exported.
    let last: i64 = sqlx::query_scalar(
        "SELECT max(position) FROM eventlog.events \
         WHERE tenant_id = $1 AND stream_type <> 'checkpoint'",
    )
    .bind(auditor.tenant)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    checkpointed(&auditor, last).await;
    let from = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let to = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let admin = stack.session(auditor.tenant, Uuid::now_v7(), Role::Admin);
    let period = json!({"from": from, "to": to});
    let refused = admin.query_post("/v1/exports", period.clone()).await;
    assert_eq!(refused.status, 403);
    let backwards = auditor
        .query_post("/v1/exports", json!({"from": to, "to": from}))
        .await;
    assert_eq!(backwards.problem_type(), "caselog:validation");

    let requested = auditor.query_post("/v1/exports", period).await;
    assert_eq!(requested.status, 202, "{}", requested.body);
    let requested = requested.body;
    assert_eq!(requested["cases_total"], 3);
    let status = format!("/v1/exports/{}", requested["export_id"].as_str().unwrap());
    let job = finished(&auditor, &status).await;
    assert_eq!(
        (job["status"].as_str(), job["cases_done"].as_i64()),
        (Some("done"), Some(3))
    );
    let (code, content_type, zip) = auditor.get_bytes(&format!("{status}/download")).await;
    assert_eq!((code, content_type.as_str()), (200, "application/zip"));
    assert_eq!(job["zip_sha256"], hex::encode(Sha256::digest(&zip)));

    let files = unzip(&zip);
    every_file_is_as_listed(&files, &auditor, &cases);
    // Checked offline, and the same archive from the operator's command line.
    let dir = std::env::temp_dir().join(format!("caselog-export-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in &files {
        if name.ends_with(".jsonl") {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let report = verified_offline(&dir).await;
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["checkpoints"].as_u64() >= Some(1), "{report}");

    let out = dir.join("cli.zip");
    let tenant = auditor.tenant.to_string();
    let cli = stack
        .cli(
            "query-service",
            &[
                "bulk-export",
                "--tenant",
                &tenant,
                "--from",
                &from,
                "--to",
                &to,
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .await;
    assert!(cli.status.success(), "{cli:?}");
    let summary: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(summary["cases"], 3);
    assert_eq!(
        summary["sha256"],
        hex::encode(Sha256::digest(std::fs::read(&out).unwrap()))
    );
    let _ = std::fs::remove_dir_all(&dir);

    // The export is on the record of who read what.
    let access = auditor.get("/v1/audit/access").await.ok().body;
    assert!(
        access["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|read| read["what"] == "bulk_export")
    );
    stack.stop().await;
}
