//! README "Trusting the log": an auditor re-checks a tenant without caselog's database,
//! with `tools/caselog_verify.py` — Python, sharing no code with caselog — from the raw
//! feed and from a NATS subscription, given only the published public key.

use std::time::Duration;

use serde_json::Value;

use caselog_platform::settings::{LOCAL_CHECKPOINT_PUBLIC_KEY, LocalNatsUser};
use caselog_testkit::eventually;

use super::trusting_the_log::{a_checkpointed_tenant, a_stack, checkpointed};

/// Runs the offline verifier with `args`; returns its exit code and JSON report.
async fn verify_offline(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value) {
    let python = caselog_testkit::tools::python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/caselog_verify.py");
    let output = tokio::process::Command::new(&python)
        .arg(script)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{python} runs (deploy/dev installs cryptography): {e}"));
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "a JSON report, not {:?} / {:?}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

#[tokio::test]
async fn an_auditor_verifies_a_tenant_offline_from_the_feed_and_from_nats() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    let query = stack.query.base_url.clone();
    let token = tenant.auditor.token.clone();
    let feed = [
        "--feed",
        &query,
        "--public-key",
        LOCAL_CHECKPOINT_PUBLIC_KEY,
    ];
    let (code, report) = verify_offline(&feed, &[("CASELOG_TOKEN", &token)]).await;
    assert_eq!(code, Some(0), "{report}");
    assert!(report["checkpoints"].as_u64().unwrap() >= 1, "{report}");
    assert!(report["events"].as_u64().unwrap() >= 10, "{report}");

    // The same events from NATS, as an analytics subscriber receives them.
    let events = stack.log_length().await;
    eventually(
        Duration::from_secs(10),
        "the relay publishing everything",
        || async { (stack.nats.last_sequence().await as i64 >= events).then_some(()) },
    )
    .await;
    let (user, password) = (LocalNatsUser::ANALYTICS.0, LocalNatsUser::ANALYTICS.1);
    let nats_url = caselog_testkit::nats_url();
    let stream = stack.nats.stream_name.clone();
    let subscription = [
        "--nats",
        &nats_url,
        "--user",
        user,
        "--consumer",
        "analytics",
        "--stream",
        &stream,
        "--public-key",
        LOCAL_CHECKPOINT_PUBLIC_KEY,
    ];
    let (code, from_nats) =
        verify_offline(&subscription, &[("CASELOG_NATS_PASSWORD", password)]).await;
    assert_eq!(code, Some(0), "{from_nats}");
    assert_eq!(from_nats["whole_log"], true, "{from_nats}");
    assert!(
        from_nats["events"].as_u64() >= Some(events as u64),
        "{from_nats}"
    );

    // A key the operator did not publish is refused; an edit made with SQL is found.
    let other_key = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=";
    let forged = ["--feed", &query, "--public-key", other_key];
    let (code, report) = verify_offline(&forged, &[("CASELOG_TOKEN", &token)]).await;
    assert_eq!(code, Some(1), "{report}");
    let reason = report["first_break"]["reason"].as_str().unwrap();
    assert!(reason.contains("not a trusted checkpoint key"), "{reason}");

    stack
        .database
        .administer(&format!(
            "UPDATE eventlog.events SET payload = jsonb_set(payload, '{{channel}}', '\"email\"') \
             WHERE stream_id = '{}' AND stream_version = 1",
            tenant.first
        ))
        .await;
    let (code, report) = verify_offline(&feed, &[("CASELOG_TOKEN", &token)]).await;
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["first_break"]["stream_id"], tenant.first.to_string());
    stack.stop().await;
}

#[tokio::test]
async fn a_log_cut_short_is_caught_offline_by_the_checkpoints_an_auditor_kept() {
    let stack = a_stack().await;
    let tenant = a_checkpointed_tenant(&stack).await;
    // The auditor keeps the checkpoints the feed shows today.
    let feed = tenant.auditor.get("/v1/events?limit=200").await.ok().body;
    let kept: String = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["stream_type"] == "checkpoint")
        .map(|event| format!("{event}\n"))
        .collect();
    assert!(!kept.is_empty(), "{feed}");
    let file = std::env::temp_dir().join(format!("checkpoints-{}.jsonl", uuid::Uuid::now_v7()));
    std::fs::write(&file, kept).unwrap();
    // Reading the feed was recorded: once a checkpoint covers that too, the log is quiet
    // and nothing is being signed while the administrator cuts.
    let last: i64 = sqlx::query_scalar(
        "SELECT max(position) FROM eventlog.events WHERE stream_type <> 'checkpoint'",
    )
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    checkpointed(&tenant.auditor, last).await;

    // Everything after the first conversation goes, with the checkpoints that signed it.
    stack
        .database
        .administer(&format!(
            "DELETE FROM eventlog.events WHERE position > (SELECT max(position) \
             FROM eventlog.events WHERE stream_id = '{}')",
            tenant.first
        ))
        .await;
    let query = stack.query.base_url.clone();
    let token = tenant.auditor.token.clone();
    let env = [("CASELOG_TOKEN", token.as_str())];
    // What is left is consistent in itself…
    let alone = [
        "--feed",
        &query,
        "--public-key",
        LOCAL_CHECKPOINT_PUBLIC_KEY,
    ];
    assert_eq!(verify_offline(&alone, &env).await.0, Some(0));
    // …and contradicts the checkpoints kept.
    let held = [
        "--feed",
        &query,
        "--checkpoints",
        file.to_str().unwrap(),
        "--public-key",
        LOCAL_CHECKPOINT_PUBLIC_KEY,
    ];
    let (code, report) = verify_offline(&held, &env).await;
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report["first_break"]["reason"].as_str().is_some(),
        "{report}"
    );
    let _ = std::fs::remove_file(file);
    stack.stop().await;
}
