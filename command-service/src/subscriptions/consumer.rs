//! A subscription's durable consumer, made and deleted as the provisioner NATS user
//! (the only one that may administer the stream).

use async_nats::jetstream::{self, consumer};

use super::SubscriptionName;

/// Creates the consumer `sub-<name>` on `stream`, delivering `filter_subject` from the
/// stream's first message, each message acknowledged on its own.
pub async fn create_consumer(
    jetstream: &jetstream::Context,
    stream: &str,
    name: &SubscriptionName,
    filter_subject: String,
) -> anyhow::Result<()> {
    let stream = jetstream.get_stream(stream).await?;
    stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some(name.nats_user()),
            description: Some(format!("caselog subscription {name}")),
            filter_subject,
            ack_policy: consumer::AckPolicy::Explicit,
            deliver_policy: consumer::DeliverPolicy::All,
            max_ack_pending: 20_000,
            ..Default::default()
        })
        .await?;
    Ok(())
}

/// Deletes the consumer; whether it existed.
pub async fn delete_consumer(
    jetstream: &jetstream::Context,
    stream: &str,
    name: &SubscriptionName,
) -> anyhow::Result<bool> {
    let stream = jetstream.get_stream(stream).await?;
    match stream.delete_consumer(&name.nats_user()).await {
        Ok(_) => Ok(true),
        Err(error)
            if matches!(
                error.kind(),
                jetstream::stream::ConsumerErrorKind::JetStream(ref source)
                    if source.error_code() == jetstream::ErrorCode::CONSUMER_NOT_FOUND
            ) =>
        {
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}
