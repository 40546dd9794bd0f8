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
    std::env::var("CASELOG_BIN_DIR").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("debug")
        },
        PathBuf::from,
    )
}

/// Where a service's program comes from.
#[derive(Debug, Clone)]
pub enum Program {
    /// The binary cargo built ([`bin_dir`]).
    Built,
    /// The same program inside a container image, run by podman on the host's network
    /// (`deploy/dev image` builds one and sets `CASELOG_TEST_IMAGE`).
    Image(String),
}

impl Program {
    /// `CASELOG_TEST_IMAGE`, the image `deploy/dev test` built from this checkout.
    pub fn test_image() -> Self {
        Self::Image(std::env::var("CASELOG_TEST_IMAGE").expect(
            "CASELOG_TEST_IMAGE names the image to test (deploy/dev test builds it and sets it)",
        ))
    }

    /// The command that runs `binary` with the environment variables set on it (podman
    /// passes each `--env NAME` on from its own environment). `container` names the
    /// container, so that it can be removed whatever becomes of the podman client.
    fn command(&self, binary: &str, env_names: &[&str], container: &str) -> Command {
        match self {
            Self::Built => Command::new(bin_dir().join(binary)),
            Self::Image(image) => {
                let mut command = Command::new("podman");
                command.args(["run", "--rm", "--name", container, "--network", "host"]);
                // Locked down as deploy/kubernetes/ runs it: nothing writable, no
                // capabilities, no privilege escalation.
                command.args([
                    "--read-only",
                    "--read-only-tmpfs=false",
                    "--cap-drop",
                    "all",
                ]);
                command.args(["--security-opt", "no-new-privileges"]);
                for name in env_names {
                    command.args(["--env", name]);
                }
                command.args([image.as_str(), binary]);
                command
            }
        }
    }
}

/// A container that outlives its podman client unless removed: removed when dropped.
pub struct Container(pub String);

impl Container {
    /// The container's main process, as the host sees it.
    pub fn host_pid(&self) -> u32 {
        let output = std::process::Command::new("podman")
            .args(["inspect", "--format", "{{.State.Pid}}", &self.0])
            .output()
            .expect("podman inspect runs");
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("podman inspect {}: {output:?}", self.0))
    }

    /// `podman stop`: SIGTERM (the image's stop signal), SIGKILL after `grace`.
    pub async fn stop(&self, grace: Duration) {
        let status = Command::new("podman")
            .args(["stop", "--time", &grace.as_secs().to_string(), &self.0])
            .stdout(Stdio::null())
            .status()
            .await
            .expect("podman stop runs");
        assert!(status.success(), "podman stop {}", self.0);
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = std::process::Command::new("podman")
            .args(["rm", "--force", "--time", "0", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A running service program; killed (its container removed) when dropped.
pub struct ServiceProcess {
    pub child: Child,
    pub base_url: String,
    /// The container it runs in, if it came from an image.
    pub container: Option<Container>,
    /// Every line the service wrote to its standard output (its logs).
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ServiceProcess {
    /// Starts `binary` (for example `command-service`) with `env`, listening on a free
    /// port, and returns once it has logged its address.
    pub async fn start(binary: &str, address_variable: &str, env: &[(&str, String)]) -> Self {
        Self::start_program(&Program::Built, binary, address_variable, env).await
    }

    /// [`Self::start`] for the program `binary` of `program`.
    pub async fn start_program(
        program: &Program,
        binary: &str,
        address_variable: &str,
        env: &[(&str, String)],
    ) -> Self {
        let mut settings: Vec<(&str, String)> = vec![
            (address_variable, "127.0.0.1:0".to_owned()),
            ("CASELOG_LOG_FORMAT", "json".to_owned()),
            // The local stack's published secrets (its token key, its NATS users).
            ("CASELOG_ENV", "dev".to_owned()),
            ("RUST_LOG", "info".to_owned()),
            // Tests (and the load of the fault tests) send far faster than any person;
            // the limits' own tests set theirs.
            ("CASELOG_RATE_PER_USER", "1000000".to_owned()),
            ("CASELOG_BURST_PER_USER", "1000000".to_owned()),
            ("CASELOG_RATE_PER_TENANT", "1000000".to_owned()),
            ("CASELOG_BURST_PER_TENANT", "1000000".to_owned()),
        ];
        // Each service connects as its own restricted NATS user, as in the local stack.
        let nats_user = match binary {
            "command-service" => Some(LocalNatsUser::RELAY),
            "projection-service" => Some(LocalNatsUser::PROJECTION),
            "query-service" => Some(LocalNatsUser::QUERY),
            _ => None,
        };
        if let Some(LocalNatsUser(user, password)) = nats_user {
            settings.push(("CASELOG_NATS_USER", user.to_owned()));
            settings.push(("CASELOG_NATS_PASSWORD", password.to_owned()));
        }
        settings.extend(env.iter().map(|(key, value)| (*key, value.clone())));
        let names: Vec<&str> = settings.iter().map(|(key, _)| *key).collect();
        let name = format!("caselog-test-{binary}-{}", uuid::Uuid::now_v7().simple());
        let mut command = program.command(binary, &names, &name);
        command
            .envs(settings.iter().map(|(key, value)| (key, value)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let container = matches!(program, Program::Image(_)).then(|| Container(name));
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!("start {binary} ({program:?}): {e} (run cargo build --bins)")
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read service output") {
                eprintln!("[{binary}] {line}");
                log.lock().expect("the log").push(line.clone());
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
        let kept = log.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[{name}] {line}");
                kept.lock().expect("the log").push(line);
            }
        });
        Self {
            child,
            base_url: format!("http://{address}"),
            container,
            log,
        }
    }

    /// The log lines the service wrote so far.
    pub fn logs(&self) -> Vec<String> {
        self.log.lock().expect("the log").clone()
    }

    /// SIGKILL: no graceful shutdown, as in a crash.
    pub async fn kill(&mut self) {
        if let Some(container) = &self.container {
            let _ = Command::new("podman")
                .args(["kill", "--signal", "KILL", &container.0])
                .stdout(Stdio::null())
                .status()
                .await;
        }
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
