//! NATS over TLS: the test makes a CA and a server certificate, starts a nats-server
//! that speaks only TLS with it, and a service given that CA
//! (`CASELOG_NATS_TLS_CA`) connects; a service given another CA refuses the server.

use std::path::Path;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use caselog_testkit::faults::nats::PrivateNats;
use caselog_testkit::services::ServiceProcess;
use caselog_testkit::{TestDatabase, eventually};

/// A CA: its certificate (PEM) and the issuer that signs with it.
fn certificate_authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, contents: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

async fn nats_status(service: &ServiceProcess) -> String {
    let body: serde_json::Value = caselog_platform::connect::http_client()
        .build()
        .unwrap()
        .get(format!("{}/readyz", service.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["nats"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_service_speaks_tls_to_nats_and_refuses_a_server_it_cannot_verify() {
    let dir = std::env::temp_dir().join(format!("caselog-tls-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let authority = certificate_authority("caselog test CA");
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &authority)
        .unwrap();
    let ca = write(&dir, "ca.pem", &authority.pem());
    let stranger = write(
        &dir,
        "other-ca.pem",
        &certificate_authority("elsewhere").pem(),
    );
    let certificate = write(&dir, "server.pem", &server.pem());
    let key = write(&dir, "server.key", &server_key.serialize_pem());

    let nats = PrivateNats::start_with_tls(&certificate, &key).await;
    let database = TestDatabase::create().await;
    let env = |ca: &Path| {
        vec![
            ("CASELOG_DATABASE_URL", database.url.clone()),
            ("CASELOG_NATS_URL", format!("tls://127.0.0.1:{}", nats.port)),
            ("CASELOG_NATS_TLS_CA", ca.display().to_string()),
        ]
    };
    let trusting = ServiceProcess::start("query-service", "CASELOG_QUERY_ADDR", &env(&ca)).await;
    eventually(Duration::from_secs(20), "NATS up over TLS", || async {
        (nats_status(&trusting).await == "up").then_some(())
    })
    .await;

    let doubtful =
        ServiceProcess::start("query-service", "CASELOG_QUERY_ADDR", &env(&stranger)).await;
    for _ in 0..6 {
        assert_eq!(
            nats_status(&doubtful).await,
            "down",
            "a server it cannot verify"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(nats_status(&trusting).await, "up");
    let _ = std::fs::remove_dir_all(&dir);
}
