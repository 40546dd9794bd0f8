//! The three binaries start against real Postgres and NATS and answer their operational
//! routes, from the build directory and from the container image.

use std::time::Duration;

use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::TestDatabase;
use caselog_testkit::jetstream::TestNats;
use caselog_testkit::services::{Program, ServiceProcess};
use caselog_testkit::stack::Stack;

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
    let report: serde_json::Value =
        caselog_testkit::eventually(Duration::from_secs(20), "an active relay", || async {
            let report: serde_json::Value = client
                .get(format!("{}/v1/relay", service.base_url))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (report["role"] == "active").then_some(report)
        })
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
    let mut command =
        tokio::process::Command::new(caselog_testkit::services::bin_dir().join(binary));
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
    tokio::time::timeout(Duration::from_secs(30), command.output())
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

/// The image `deploy/dev test` builds from this checkout (`deploy/dev image`): its
/// `caselog-migrate` migrates an empty database as the migration job does, its three
/// services start from it as the non-root user, serve a support flow end to end, and
/// stop cleanly on the SIGTERM `podman stop` sends.
#[tokio::test]
async fn the_container_image_migrates_serves_as_a_non_root_user_and_stops_on_sigterm() {
    let program = Program::test_image();
    let Program::Image(image) = &program else {
        unreachable!("test_image is an image")
    };
    let database = TestDatabase::create_unmigrated().await;
    let migrated = tokio::process::Command::new("podman")
        .args(["run", "--rm", "--network", "host"])
        .args(["--env", "CASELOG_DATABASE_URL", "--env", "CASELOG_ENV"])
        .args([image.as_str(), "caselog-migrate"])
        .env("CASELOG_DATABASE_URL", &database.admin_url)
        .env("CASELOG_ENV", "dev")
        .output()
        .await
        .expect("podman runs");
    assert!(
        migrated.status.success(),
        "caselog-migrate in the image: {migrated:?}"
    );

    let mut stack = Stack::start_programs(
        &program,
        database,
        TestNats::connect().await,
        &[("CASELOG_SHUTDOWN_DRAIN_MS", "0".to_owned())],
    )
    .await;
    for (what, service) in [
        ("command-service", &stack.command),
        ("query-service", &stack.query),
        ("projection-service", &stack.projection),
    ] {
        let readyz = stack
            .http
            .get(format!("{}/readyz", service.base_url))
            .send()
            .await
            .expect("the containerised service answers");
        assert_eq!(readyz.status(), 200, "{what} /readyz");
        let container = service.container.as_ref().expect("runs in a container");
        let status = std::fs::read_to_string(format!("/proc/{}/status", container.host_pid()))
            .expect("the container's process, seen from the host");
        let uid = status
            .lines()
            .find(|line| line.starts_with("Uid:"))
            .expect("a Uid line");
        assert_eq!(
            uid.split_whitespace().skip(1).collect::<Vec<_>>(),
            ["10001"; 4],
            "{what} runs as the image's non-root user (real, effective, saved, fs)"
        );
    }

    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Containerised Customer").await;
    gateway.observe(admin.newest_position());
    gateway
        .inbound(contact, "webchat", "hello from a container")
        .await;
    admin.observe(gateway.newest_position());
    let inbox = admin.get("/v1/inbox/team").await.ok();
    assert!(
        inbox.body.to_string().contains("Containerised Customer"),
        "the team inbox, projected and served from the image: {}",
        inbox.body
    );

    for service in [&mut stack.command, &mut stack.query, &mut stack.projection] {
        let container = service.container.as_ref().expect("runs in a container");
        container.stop(Duration::from_secs(20)).await;
        let exit = tokio::time::timeout(Duration::from_secs(5), service.child.wait())
            .await
            .expect("podman run returns once the container stopped")
            .expect("wait for podman");
        assert!(exit.success(), "{} exits 0 on SIGTERM: {exit}", container.0);
    }
    stack.stop().await;
}
