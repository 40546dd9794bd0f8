//! A three-node JetStream cluster of the test's own, on loopback ports, with the
//! deployment's configuration (`deploy/nats/cluster.conf`: every password from the
//! environment, `sync_interval: always`). Only this test kills or restarts its nodes.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::{Child, Command};

use caselog_platform::settings::LocalNatsUser;

pub struct NatsNode {
    pub name: String,
    child: Option<Child>,
    pub port: u16,
    route_port: u16,
    monitor_port: u16,
    store: PathBuf,
}

pub struct NatsCluster {
    pub nodes: Vec<NatsNode>,
    http: reqwest::Client,
}

impl NatsCluster {
    /// Starts `size` nodes and waits until they have elected a JetStream meta leader.
    pub async fn start(size: usize) -> Self {
        let run = uuid::Uuid::now_v7().simple().to_string();
        let nodes = (1..=size)
            .map(|i| NatsNode {
                name: format!("caselog-{i}"),
                child: None,
                port: super::free_port(),
                route_port: super::free_port(),
                monitor_port: super::free_port(),
                store: std::env::temp_dir().join(format!("caselog-cluster-{run}-{i}")),
            })
            .collect();
        let mut cluster = Self {
            nodes,
            http: caselog_platform::connect::http_client()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client"),
        };
        for node in 0..size {
            cluster.spawn(node);
        }
        for node in 0..size {
            cluster.until_healthy(node, "?js-enabled-only=true").await;
        }
        for _ in 0..120 {
            if cluster.meta_leader().await.is_some() {
                return cluster;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("the test's JetStream cluster elected no meta leader");
    }

    /// Every node's client URL, comma-separated (what the services are given).
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("nats://127.0.0.1:{}", node.port))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn spawn(&mut self, index: usize) {
        let routes: Vec<String> = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != index)
            .map(|(_, node)| format!("nats://127.0.0.1:{}", node.route_port))
            .collect();
        let node = &mut self.nodes[index];
        std::fs::create_dir_all(&node.store).expect("a store directory");
        let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/cluster.conf");
        let child = Command::new(super::nats::nats_server_bin())
            .arg("-c")
            .arg(config)
            .args(["-n", &node.name, "-a", "127.0.0.1"])
            .args(["-p", &node.port.to_string()])
            .args(["-m", &node.monitor_port.to_string()])
            .args(["--cluster_name", "caselog"])
            .arg("--cluster")
            .arg(format!("nats://127.0.0.1:{}", node.route_port))
            .arg("--routes")
            .arg(routes.join(","))
            .arg("-sd")
            .arg(&node.store)
            .env("CASELOG_NATS_PROVISIONER_PASSWORD", crate::provisioner().1)
            .env("CASELOG_NATS_RELAY_PASSWORD", LocalNatsUser::RELAY.1)
            .env(
                "CASELOG_NATS_PROJECTION_PASSWORD",
                LocalNatsUser::PROJECTION.1,
            )
            .env("CASELOG_NATS_QUERY_PASSWORD", LocalNatsUser::QUERY.1)
            .env(
                "CASELOG_NATS_ANALYTICS_PASSWORD",
                LocalNatsUser::ANALYTICS.1,
            )
            .env("CASELOG_NATS_CALLOUT_PASSWORD", LocalNatsUser::CALLOUT.1)
            .env(
                "CASELOG_NATS_CALLOUT_ISSUER",
                caselog_platform::settings::LOCAL_CALLOUT_ISSUER,
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nats-server starts (deploy/dev installs it)");
        node.child = Some(child);
    }

    async fn until_healthy(&self, index: usize, check: &str) {
        let url = format!(
            "http://127.0.0.1:{}/healthz{check}",
            self.nodes[index].monitor_port
        );
        for _ in 0..240 {
            if let Ok(response) = self.http.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("node {} did not become healthy", self.nodes[index].name);
    }

    /// SIGKILL one node, as in a crash.
    pub async fn kill(&mut self, index: usize) {
        if let Some(mut child) = self.nodes[index].child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts a killed node again on its store and waits until it has caught up with
    /// its streams (`/healthz` checks JetStream's assets, not only that it runs).
    pub async fn restart(&mut self, index: usize) {
        self.spawn(index);
        self.until_healthy(index, "").await;
    }

    /// `/jsz` of the first live node, with streams and consumers.
    async fn jsz(&self) -> Option<Value> {
        for node in self.nodes.iter().filter(|node| node.child.is_some()) {
            let url = format!(
                "http://127.0.0.1:{}/jsz?streams=true&consumers=true",
                node.monitor_port
            );
            if let Ok(response) = self.http.get(&url).send().await
                && let Ok(body) = response.json::<Value>().await
            {
                return Some(body);
            }
        }
        None
    }

    pub async fn meta_leader(&self) -> Option<String> {
        let leader = self.jsz().await?["meta_cluster"]["leader"]
            .as_str()?
            .to_owned();
        (!leader.is_empty()).then_some(leader)
    }

    /// The index of the node leading stream `name`'s replica group.
    pub async fn stream_leader(&self, name: &str) -> Option<usize> {
        let jsz = self.jsz().await?;
        let stream = jsz["account_details"]
            .as_array()?
            .iter()
            .flat_map(|account| {
                account["stream_detail"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .find(|stream| stream["name"] == name)?;
        let leader = stream["cluster"]["leader"].as_str()?;
        self.nodes.iter().position(|node| node.name == leader)
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(child) = &mut node.child {
                let _ = child.start_kill();
            }
            let _ = std::fs::remove_dir_all(&node.store);
        }
    }
}
