//! A nats-server of the fault test's own: the local stack's configuration (its users,
//! `sync_interval: always`), its own store directory and loopback ports. Only this
//! test kills, pauses or wipes it.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

pub struct PrivateNats {
    child: Option<Child>,
    store: PathBuf,
    config: PathBuf,
    pub port: u16,
    monitor_port: u16,
}

impl PrivateNats {
    pub async fn start() -> Self {
        Self::start_with_max_payload("1MB").await
    }

    /// A server that refuses messages larger than `max_payload` (such as `64KB`).
    pub async fn start_with_max_payload(max_payload: &str) -> Self {
        Self::start_configured(|local| {
            assert!(local.contains("max_payload: 1MB"));
            local.replace("max_payload: 1MB", &format!("max_payload: {max_payload}"))
        })
        .await
    }

    /// A server that speaks only TLS, with this certificate and key (PEM files).
    pub async fn start_with_tls(certificate: &std::path::Path, key: &std::path::Path) -> Self {
        Self::start_configured(|local| {
            format!(
                "{local}\ntls {{\n  cert_file: {:?}\n  key_file: {:?}\n  timeout: 5\n}}\n",
                certificate.display().to_string(),
                key.display().to_string()
            )
        })
        .await
    }

    /// A server with the local stack's configuration as `edit` changes it.
    pub async fn start_configured(edit: impl FnOnce(&str) -> String) -> Self {
        let store =
            std::env::temp_dir().join(format!("caselog-fault-nats-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&store).expect("a store directory");
        let local = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/dev.conf"),
        )
        .expect("the local stack's nats configuration");
        let config = store.with_extension("conf");
        std::fs::write(&config, edit(&local)).expect("write the configuration");
        let mut nats = Self {
            child: None,
            config,
            store,
            port: super::free_port(),
            monitor_port: super::free_port(),
        };
        nats.start_server().await;
        nats
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the server on the existing store and waits until JetStream answers.
    pub async fn start_server(&mut self) {
        let child = Command::new(nats_server_bin())
            .arg("-c")
            .arg(&self.config)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-m", &self.monitor_port.to_string()])
            .arg("-sd")
            .arg(&self.store)
            .env("CASELOG_NATS_PROVISIONER_PASSWORD", crate::provisioner().1)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nats-server starts (deploy/dev installs it)");
        self.child = Some(child);
        let health = format!(
            "http://127.0.0.1:{}/healthz?js-enabled-only=true",
            self.monitor_port
        );
        let http = caselog_platform::connect::http_client().build().unwrap();
        for _ in 0..200 {
            if let Ok(response) = http.get(&health).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the private nats-server did not become healthy");
    }

    fn pid(&self) -> String {
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("the server runs")
            .to_string()
    }

    /// SIGKILL, as in a crash.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// SIGSTOP: the process holds its sockets open and answers nothing.
    pub async fn pause(&self) {
        signal("-STOP", &self.pid()).await;
    }

    /// SIGCONT after `pause`.
    pub async fn resume(&self) {
        signal("-CONT", &self.pid()).await;
    }

    /// Deletes the JetStream store (the server must be stopped): every stream and
    /// consumer is gone, as after losing the disk.
    pub fn wipe_store(&self) {
        assert!(self.child.is_none(), "wipe the store of a stopped server");
        let _ = std::fs::remove_dir_all(&self.store);
        std::fs::create_dir_all(&self.store).expect("an empty store directory");
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // A paused server must be let go before it can die.
            if let Some(pid) = child.id() {
                let _ = std::process::Command::new("kill")
                    .args(["-CONT", &pid.to_string()])
                    .status();
            }
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.store);
        let _ = std::fs::remove_file(&self.config);
    }
}

async fn signal(signal: &str, pid: &str) {
    let status = Command::new("kill")
        .args([signal, pid])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success(), "kill {signal} {pid}");
}

/// `CASELOG_NATS_SERVER_BIN` (set by `deploy/dev`), the local stack's, or `nats-server`.
pub(super) fn nats_server_bin() -> PathBuf {
    if let Ok(path) = std::env::var("CASELOG_NATS_SERVER_BIN") {
        return PathBuf::from(path);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.dev/venv/bin/nats-server");
    if local.exists() {
        local
    } else {
        PathBuf::from("nats-server")
    }
}
