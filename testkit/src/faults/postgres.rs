//! A Postgres server of the fault test's own: `initdb` in a temporary directory, its own
//! loopback port, stopped (as in a crash) and started again only by that test.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

pub struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    pub port: u16,
}

impl PrivatePostgres {
    /// Creates a cluster and starts it; the database `caselog` exists.
    pub async fn start() -> Self {
        let bin = pg_bin_dir();
        let dir = std::env::temp_dir().join(format!("caselog-fault-pg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        if running_as_root() {
            // Postgres refuses to run as root: the data directory belongs to `postgres`.
            run(Command::new("chown").arg("postgres:").arg(&dir)).await;
        }
        let postgres = Self {
            port: super::free_port(),
            bin,
            dir,
        };
        let data = postgres.data_dir();
        postgres
            .as_postgres_user(
                "initdb",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-U",
                    "caselog",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
            )
            .await;
        postgres.start_server().await;
        let admin = format!("{}/postgres", postgres.url_base());
        let mut connection = sqlx::ConnectOptions::connect(
            &admin.parse::<sqlx::postgres::PgConnectOptions>().unwrap(),
        )
        .await
        .expect("the private Postgres answers");
        crate::prepare_roles(&admin).await;
        sqlx::Executor::execute(
            &mut connection,
            "CREATE DATABASE caselog OWNER caselog_owner",
        )
        .await
        .expect("create the database");
        crate::migrate(&format!("{}/caselog", postgres.url_base())).await;
        postgres
    }

    /// The server's own address (services reach it through a fault proxy instead).
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// As the server's superuser.
    pub fn url_base(&self) -> String {
        format!("postgres://caselog@127.0.0.1:{}", self.port)
    }

    /// The database as the owner role (what schema-changing tools are given).
    pub fn owner_url(&self) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/caselog",
            caselog_migrate::OWNER,
            self.port
        )
    }

    /// Starts the server on the existing cluster (after `crash`, it recovers from its WAL).
    pub async fn start_server(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
             -c max_connections=200 -c shared_buffers=64MB",
            self.port
        );
        let log = self.dir.join("postgres.log");
        self.as_postgres_user(
            "pg_ctl",
            &[
                "-D",
                self.data_dir().to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )
        .await;
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`: no
    /// checkpoint, every connection cut, recovery on the next start).
    pub async fn crash(&self) {
        self.as_postgres_user(
            "pg_ctl",
            &[
                "-D",
                self.data_dir().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
        .await;
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    async fn as_postgres_user(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bin.join(tool);
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(args);
        run(&mut command).await
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Synchronous on purpose: the runtime may be shutting down.
        let data = self.data_dir();
        let stop = |program: &Path| {
            let mut command = if running_as_root() {
                let mut command = std::process::Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(program);
                command
            } else {
                std::process::Command::new(program)
            };
            command
                .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
        };
        let _ = stop(&self.bin.join("pg_ctl"));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `CASELOG_PG_BIN_DIR` (set by `deploy/dev`), or the newest `/usr/lib/postgresql/*/bin`.
fn pg_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CASELOG_PG_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (deploy/dev installs it)")
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|dir| {
        dir.parent()
            .and_then(|version| version.file_name())
            .and_then(|version| version.to_str())
            .and_then(|version| version.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().expect("a PostgreSQL bin directory")
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

async fn run(command: &mut Command) -> Output {
    let output = tokio::time::timeout(Duration::from_secs(90), command.output())
        .await
        .expect("a Postgres tool finishes within 90 s")
        .expect("a Postgres tool runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
