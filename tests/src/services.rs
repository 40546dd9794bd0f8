//! Starting the real service binaries as child processes, each on a free port, against
//! the test's own database and stream.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use caselog_platform::settings::LocalNatsUser;

/// `CASELOG_BIN_DIR`, or the workspace's debug target directory.
pub fn bin_dir() -> PathBuf {
    std::env::var("CASELOG_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("debug")
        })
}

/// A running service binary; killed when dropped.
pub struct ServiceProcess {
    pub child: Child,
    pub base_url: String,
}

impl ServiceProcess {
    /// Starts `binary` (for example `command-service`) with `env`, listening on a free
    /// port, and returns once it has logged its address.
    pub async fn start(binary: &str, address_variable: &str, env: &[(&str, String)]) -> Self {
        let path = bin_dir().join(binary);
        let mut command = Command::new(&path);
        command
            .env(address_variable, "127.0.0.1:0")
            .env("CASELOG_LOG_FORMAT", "json")
            // The local stack's published secrets (its token key, its NATS users).
            .env("CASELOG_ENV", "dev")
            .env("RUST_LOG", "info")
            // Tests (and the load of the fault tests) send far faster than any person;
            // the limits' own tests set theirs.
            .env("CASELOG_RATE_PER_USER", "1000000")
            .env("CASELOG_BURST_PER_USER", "1000000")
            .env("CASELOG_RATE_PER_TENANT", "1000000")
            .env("CASELOG_BURST_PER_TENANT", "1000000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        // Each service connects as its own restricted NATS user, as in the local stack.
        let nats_user = match binary {
            "command-service" => Some(LocalNatsUser::RELAY),
            "projection-service" => Some(LocalNatsUser::PROJECTION),
            "query-service" => Some(LocalNatsUser::QUERY),
            _ => None,
        };
        if let Some(LocalNatsUser(user, password)) = nats_user {
            command
                .env("CASELOG_NATS_USER", user)
                .env("CASELOG_NATS_PASSWORD", password);
        }
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e} (run cargo build --bins)", path.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read service output") {
                eprintln!("[{binary}] {line}");
                if let Some(address) = listening_address(&line) {
                    return address;
                }
            }
            panic!("{binary} exited before listening");
        })
        .await
        .unwrap_or_else(|_| panic!("{binary} did not start listening within 60 s"));
        // Keep echoing the service's logs so a failing test shows them.
        let name = binary.to_owned();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[{name}] {line}");
            }
        });
        Self {
            child,
            base_url: format!("http://{address}"),
        }
    }

    /// SIGKILL: no graceful shutdown, as in a crash.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }
}

fn listening_address(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let fields = value.get("fields")?;
    if fields.get("message")?.as_str()? != "listening" {
        return None;
    }
    Some(fields.get("address")?.as_str()?.to_owned())
}
