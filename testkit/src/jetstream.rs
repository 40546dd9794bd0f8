//! A JetStream stream and subject root of the test's own, and reading a stream back.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;

use caselog_eventlog::relay::RelayConfig;
use caselog_schemas::{EventEnvelope, SubjectRoot, decode_msgpack};

pub struct TestNats {
    pub client: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub stream_name: String,
    pub subject_root: SubjectRoot,
}

/// One message read back from the stream.
#[derive(Debug)]
pub struct StoredMessage {
    pub sequence: u64,
    pub subject: String,
    pub headers: async_nats::HeaderMap,
    pub envelope: EventEnvelope,
}

impl TestNats {
    /// Connects as the provisioner and creates the test's own stream with every durable
    /// consumer, as `command-service provision-nats` does for the local stack.
    pub async fn connect() -> Self {
        let client = crate::nats_client(crate::provisioner()).await;
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let nats = Self {
            jetstream: jetstream::new(client.clone()),
            client,
            stream_name: format!("T_{unique}"),
            // Under `caselog.>`, the only subjects the relay's NATS user may publish to.
            subject_root: SubjectRoot::new(format!("caselog.t{unique}.v1")),
        };
        caselog_eventlog::relay::provision(
            &nats.jetstream,
            &nats.relay_config(),
            &caselog_read_model::durable_consumers(),
            &caselog_read_model::RETIRED_CONSUMERS,
        )
        .await
        .expect("provision the test stream and its consumers");
        nats
    }

    /// Like `connect`, but the stream allows deleting messages, as one made before
    /// caselog denied it: for tests that take a message away from the stream.
    pub async fn connect_allowing_deletes() -> Self {
        let nats = Self::connect().await;
        nats.delete_stream().await;
        let config = nats.relay_config();
        let stream = nats
            .jetstream
            .create_stream(jetstream::stream::Config {
                deny_delete: false,
                deny_purge: false,
                ..caselog_eventlog::relay::stream_config(&config)
            })
            .await
            .expect("create the stream");
        for durable in &caselog_read_model::durable_consumers() {
            stream
                .create_consumer(caselog_eventlog::relay::consumer_config(durable, &config))
                .await
                .expect("create a durable consumer");
        }
        nats
    }

    pub fn relay_config(&self) -> RelayConfig {
        RelayConfig {
            stream_name: self.stream_name.clone(),
            subjects: self.subject_root.clone(),
            standby_poll: Duration::from_millis(100),
            ..RelayConfig::default()
        }
    }

    /// The environment a service binary needs to use `database` and this stream.
    pub fn service_env(&self, database: &crate::TestDatabase) -> Vec<(&'static str, String)> {
        vec![
            ("CASELOG_DATABASE_URL", database.url.clone()),
            ("CASELOG_NATS_URL", crate::nats_url()),
            ("CASELOG_NATS_STREAM", self.stream_name.clone()),
            (
                "CASELOG_NATS_SUBJECT_ROOT",
                self.subject_root.as_str().to_owned(),
            ),
        ]
    }

    /// The stream's last sequence (0 when it does not exist yet).
    pub async fn last_sequence(&self) -> u64 {
        match self.jetstream.get_stream(&self.stream_name).await {
            Ok(stream) => stream
                .get_info()
                .await
                .map_or(0, |info| info.state.last_sequence),
            Err(_) => 0,
        }
    }

    /// Every message in the stream, in stream order.
    pub async fn read_all(&self) -> Vec<StoredMessage> {
        let stream = self
            .jetstream
            .get_stream(&self.stream_name)
            .await
            .expect("the stream exists");
        let total = stream.get_info().await.expect("stream info").state.messages as usize;
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                ..Default::default()
            })
            .await
            .expect("an ordered consumer");
        let mut messages = consumer.messages().await.expect("a message stream");
        let mut stored = Vec::with_capacity(total);
        while stored.len() < total {
            let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .expect("the stream delivers everything it holds")
                .expect("the stream does not end")
                .expect("a message");
            let info = message.info().expect("jetstream metadata");
            stored.push(StoredMessage {
                sequence: info.stream_sequence,
                subject: message.subject.to_string(),
                headers: message.headers.clone().unwrap_or_default(),
                envelope: decode_msgpack(&message.payload)
                    .expect("payload is a messagepack envelope"),
            });
        }
        stored
    }

    pub async fn delete_stream(&self) {
        let _ = self.jetstream.delete_stream(&self.stream_name).await;
    }
}
