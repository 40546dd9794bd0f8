//! Provisioning the JetStream side of the NATS contract (README "Subscribing to caselog events"): the stream and
//! every durable consumer that reads it. Only the provisioner's NATS user may do this;
//! the relay, the projectors and analytics bind to what exists (`deploy/nats/dev.conf`).

use async_nats::jetstream::{self, consumer};

use super::stream::stream_config;
use super::{RelayConfig, RelayError};

/// A durable consumer of the caselog stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurableConsumer {
    pub name: &'static str,
    /// Who reads through it.
    pub reader: &'static str,
    /// Projectors apply in order and ack the last of a batch; analytics ack each message.
    pub ack: consumer::AckPolicy,
}

impl DurableConsumer {
    /// A projection's consumer: it applies in order and acknowledges the last of each
    /// batch. The projections themselves are listed by the read side's contract
    /// (`caselog_read_model::durable_consumers`).
    pub const fn projection(name: &'static str) -> Self {
        Self {
            name,
            reader: "projection",
            ack: consumer::AckPolicy::All,
        }
    }
}

/// The analytics consumer: it acknowledges each message.
pub const ANALYTICS_CONSUMER: DurableConsumer = DurableConsumer {
    name: "analytics",
    reader: "analytics",
    ack: consumer::AckPolicy::Explicit,
};

/// The webhook dispatcher's consumer (in the command service, as its NATS user): it
/// records the deliveries of a batch and acknowledges its last message.
pub const WEBHOOKS_CONSUMER: DurableConsumer = DurableConsumer {
    name: "webhooks",
    reader: "relay",
    ack: consumer::AckPolicy::All,
};

/// The consumer's configuration: from the first message, every caselog subject.
pub fn consumer_config(durable: &DurableConsumer, config: &RelayConfig) -> consumer::pull::Config {
    consumer::pull::Config {
        durable_name: Some(durable.name.to_owned()),
        filter_subject: config.subjects.wildcard(),
        ack_policy: durable.ack,
        deliver_policy: consumer::DeliverPolicy::All,
        max_ack_pending: 20_000,
        ..Default::default()
    }
}

/// What provisioning found or created.
#[derive(Debug, serde::Serialize)]
pub struct Provisioned {
    pub stream: String,
    pub subjects: String,
    pub consumers: Vec<&'static str>,
    /// Retired consumers this run deleted.
    pub removed: Vec<String>,
}

/// Creates the stream and the durable `consumers` that are missing, deletes the
/// `retired` ones an earlier version made, and denies deleting and purging on a stream
/// made before that was the rule; leaves the rest as it is. Running it again is
/// harmless.
pub async fn provision(
    jetstream: &jetstream::Context,
    config: &RelayConfig,
    consumers: &[DurableConsumer],
    retired: &[&str],
) -> Result<Provisioned, RelayError> {
    let mut stream = jetstream
        .get_or_create_stream(stream_config(config))
        .await
        .map_err(RelayError::jetstream)?;
    let existing = stream
        .info()
        .await
        .map_err(RelayError::jetstream)?
        .config
        .clone();
    if !existing.deny_delete || !existing.deny_purge {
        jetstream
            .update_stream(jetstream::stream::Config {
                deny_delete: true,
                deny_purge: true,
                ..existing
            })
            .await
            .map_err(RelayError::jetstream)?;
    }
    for durable in consumers {
        stream
            .get_or_create_consumer(durable.name, consumer_config(durable, config))
            .await
            .map_err(RelayError::jetstream)?;
    }
    let mut removed = Vec::new();
    for name in retired {
        match stream.delete_consumer(name).await {
            Ok(_) => removed.push((*name).to_owned()),
            Err(error) if is_not_found(&error) => {}
            Err(error) => return Err(RelayError::jetstream(error)),
        }
    }
    Ok(Provisioned {
        stream: config.stream_name.clone(),
        removed,
        subjects: config.subjects.wildcard(),
        consumers: consumers.iter().map(|durable| durable.name).collect(),
    })
}

fn is_not_found(error: &jetstream::stream::ConsumerError) -> bool {
    matches!(error.kind(), jetstream::stream::ConsumerErrorKind::JetStream(error)
        if error.error_code() == jetstream::ErrorCode::CONSUMER_NOT_FOUND)
}
