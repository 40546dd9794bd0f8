//! The three binaries start against real Postgres and NATS and answer their operational
//! routes.

use caselog_tests::TestDatabase;
use caselog_tests::jetstream::TestNats;
use caselog_tests::services::ServiceProcess;

#[tokio::test]
async fn every_service_answers_healthz_readyz_and_metrics() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let env = nats.service_env(&database);
    let client = caselog_platform::connect::http_client().build().unwrap();
    for (binary, address_variable) in [
        ("command-service", "CASELOG_COMMAND_ADDR"),
        ("query-service", "CASELOG_QUERY_ADDR"),
        ("projection-service", "CASELOG_PROJECTION_ADDR"),
    ] {
        let service = ServiceProcess::start(binary, address_variable, &env).await;
        let healthz = client
            .get(format!("{}/healthz", service.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(healthz.status(), 200, "{binary} /healthz");
        let readyz = client
            .get(format!("{}/readyz", service.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(readyz.status(), 200, "{binary} /readyz");
        let body: serde_json::Value = readyz.json().await.unwrap();
        assert_eq!(
            (body["postgres"].as_str(), body["nats"].as_str()),
            (Some("up"), Some("up"))
        );
        let metrics = client
            .get(format!("{}/metrics", service.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(metrics.status(), 200, "{binary} /metrics");
        assert!(
            metrics.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
    }
    nats.delete_stream().await;
}

#[tokio::test]
async fn the_command_service_reports_its_relay_and_exports_its_lag() {
    let database = TestDatabase::create().await;
    let nats = TestNats::connect().await;
    let env = nats.service_env(&database);
    let service = ServiceProcess::start("command-service", "CASELOG_COMMAND_ADDR", &env).await;
    let client = caselog_platform::connect::http_client().build().unwrap();
    let report: serde_json::Value = caselog_tests::eventually(
        std::time::Duration::from_secs(20),
        "an active relay",
        || async {
            let report: serde_json::Value = client
                .get(format!("{}/v1/relay", service.base_url))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (report["role"] == "active").then_some(report)
        },
    )
    .await;
    assert_eq!(report["lag"], 0);
    let metrics = client
        .get(format!("{}/metrics", service.base_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("caselog_relay_lag_events"), "{metrics}");
    nats.delete_stream().await;
}

#[tokio::test]
async fn readyz_names_each_dependency_and_needs_only_postgres() {
    let database = TestDatabase::create().await;
    // Nothing listens on port 1: the service starts (it keeps retrying NATS) and serves
    // without it. (Postgres down answers 503: the fault tests show it.)
    let env = [
        ("CASELOG_DATABASE_URL", database.url.clone()),
        ("CASELOG_NATS_URL", "nats://127.0.0.1:1".to_owned()),
    ];
    let service = ServiceProcess::start("query-service", "CASELOG_QUERY_ADDR", &env).await;
    let client = caselog_platform::connect::http_client().build().unwrap();
    let healthz = client
        .get(format!("{}/healthz", service.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(healthz.status(), 200, "the process itself is alive");
    let readyz = client
        .get(format!("{}/readyz", service.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(readyz.status(), 200, "queries do not need NATS");
    let body: serde_json::Value = readyz.json().await.unwrap();
    assert_eq!(
        (body["postgres"].as_str(), body["nats"].as_str()),
        (Some("up"), Some("down"))
    );
    assert_eq!(body["needs"], serde_json::json!(["postgres"]));
}

/// Runs a service binary with `args` and `env`, without the local stack's settings of
/// the environment the tests run in.
async fn run_bare(binary: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = tokio::process::Command::new(caselog_tests::services::bin_dir().join(binary));
    command.args(args);
    for variable in [
        "CASELOG_ENV",
        "CASELOG_JWT_SECRET",
        "CASELOG_NATS_USER",
        "CASELOG_NATS_PASSWORD",
        "CASELOG_AUTO_CLOSE_POLL_MS",
        "CASELOG_KEK",
        "CASELOG_KEK_FILE",
    ] {
        command.env_remove(variable);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    tokio::time::timeout(std::time::Duration::from_secs(30), command.output())
        .await
        .expect("the binary exits by itself")
        .expect("the binary runs")
}

#[tokio::test]
async fn a_service_outside_the_local_stack_refuses_to_start_without_its_own_secrets() {
    for binary in ["command-service", "projection-service", "query-service"] {
        let refused = run_bare(binary, &[], &[]).await;
        assert!(!refused.status.success(), "{binary} started without a key");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            stderr.contains("CASELOG_JWT_SECRET is required"),
            "{binary}: {stderr}"
        );

        let published = run_bare(
            binary,
            &[],
            &[(
                "CASELOG_JWT_SECRET",
                caselog_platform::settings::LOCAL_JWT_SECRET,
            )],
        )
        .await;
        assert!(!published.status.success());
        let stderr = String::from_utf8_lossy(&published.stderr);
        assert!(stderr.contains("published key"), "{binary}: {stderr}");

        let local_nats = run_bare(
            binary,
            &[],
            &[
                (
                    "CASELOG_JWT_SECRET",
                    "a-secret-of-our-own-at-least-32-bytes",
                ),
                ("CASELOG_NATS_USER", "relay"),
                ("CASELOG_NATS_PASSWORD", "caselog-local-relay"),
            ],
        )
        .await;
        assert!(!local_nats.status.success());
        let stderr = String::from_utf8_lossy(&local_nats.stderr);
        assert!(
            stderr.contains("CASELOG_NATS_PASSWORD"),
            "{binary}: {stderr}"
        );

        let no_kek = run_bare(
            binary,
            &[],
            &[
                (
                    "CASELOG_JWT_SECRET",
                    "a-secret-of-our-own-at-least-32-bytes",
                ),
                ("CASELOG_NATS_USER", "relay"),
                ("CASELOG_NATS_PASSWORD", "a-password-of-our-own"),
            ],
        )
        .await;
        assert!(!no_kek.status.success());
        let stderr = String::from_utf8_lossy(&no_kek.stderr);
        assert!(stderr.contains("CASELOG_KEK"), "{binary}: {stderr}");
    }
}

#[tokio::test]
async fn a_bad_setting_is_named_and_help_lists_every_setting_anyway() {
    let bad = run_bare(
        "command-service",
        &[],
        &[
            ("CASELOG_ENV", "dev"),
            ("CASELOG_AUTO_CLOSE_POLL_MS", "soon"),
        ],
    )
    .await;
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("CASELOG_AUTO_CLOSE_POLL_MS"), "{stderr}");
    assert!(stderr.contains("milliseconds"), "{stderr}");

    let help = run_bare(
        "command-service",
        &["--help"],
        &[("CASELOG_AUTO_CLOSE_POLL_MS", "soon")],
    )
    .await;
    assert!(
        help.status.success(),
        "{}",
        String::from_utf8_lossy(&help.stderr)
    );
    let text = String::from_utf8_lossy(&help.stdout);
    for variable in [
        "CASELOG_ENV",
        "CASELOG_DATABASE_URL",
        "CASELOG_JWT_SECRET",
        "CASELOG_NATS_USER",
        "CASELOG_COMMAND_ADDR",
        "CASELOG_AUTO_CLOSE_POLL_MS",
    ] {
        assert!(text.contains(variable), "{variable} in --help: {text}");
    }
}
