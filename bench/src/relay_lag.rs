//! The relay's publish lag: from an event's append (its `recorded_at`, stamped by the
//! writer in the transaction that commits it) to its arrival on a plain NATS
//! subscription to the stream's subjects, which JetStream delivers once it has stored
//! (and so acknowledged) the message.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use hdrhistogram::Histogram;

use caselog_schemas::{EventEnvelope, SubjectRoot, decode_msgpack};

#[derive(Clone)]
pub struct RelayLag {
    histogram: Arc<Mutex<Histogram<u64>>>,
}

impl RelayLag {
    /// Subscribes to every subject under `root` and starts recording.
    pub async fn follow(client: &async_nats::Client, root: &SubjectRoot) -> anyhow::Result<Self> {
        let mut subscription = client.subscribe(format!("{}.>", root.as_str())).await?;
        let lag = Self {
            histogram: Arc::new(Mutex::new(Histogram::new(3)?)),
        };
        let histogram = lag.histogram.clone();
        tokio::spawn(async move {
            while let Some(message) = subscription.next().await {
                let Ok(envelope) = decode_msgpack::<EventEnvelope>(&message.payload) else {
                    continue;
                };
                let micros = (chrono::Utc::now() - envelope.recorded_at)
                    .num_microseconds()
                    .unwrap_or(0)
                    .max(1) as u64;
                let _ = histogram.lock().expect("not poisoned").record(micros);
            }
        });
        Ok(lag)
    }

    /// What was recorded since the last call; starts afresh.
    pub fn take(&self) -> Histogram<u64> {
        let mut histogram = self.histogram.lock().expect("not poisoned");
        let taken = histogram.clone();
        histogram.reset();
        taken
    }
}
