//! The dispatcher's first half: a JetStream consumer (`webhooks`) of every event,
//! which records one delivery per event and interested endpoint of the event's own
//! tenant, then acknowledges. Recording is idempotent, so a batch NATS delivers again
//! changes nothing; sending is the sender's, from the table.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::PullConsumer};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use caselog_eventlog::relay::WEBHOOKS_CONSUMER;
use caselog_schemas::decode_msgpack;

use crate::deliveries::{Deliveries, NewDelivery};
use crate::endpoint::wants;
use crate::endpoints::Endpoints;

/// The fields of a published envelope the fan-out reads (it ignores the payload).
#[derive(Debug, Deserialize)]
struct Published {
    event_id: Uuid,
    tenant_id: Uuid,
    position: i64,
    event_type: String,
    recorded_at: DateTime<Utc>,
}

pub struct Fanout {
    pub endpoints: Endpoints,
    pub deliveries: Deliveries,
    /// Wakes the sender when deliveries were recorded.
    pub recorded: Arc<Notify>,
}

impl Fanout {
    /// Follows the consumer on `stream` until `shutdown`, waiting for it while it
    /// does not exist yet (before `provision-nats`).
    pub async fn run(
        self,
        jetstream: jetstream::Context,
        stream: String,
        shutdown: CancellationToken,
    ) {
        let consumer = loop {
            match jetstream
                .get_consumer_from_stream::<jetstream::consumer::pull::Config, _, _>(
                    WEBHOOKS_CONSUMER.name,
                    stream.as_str(),
                )
                .await
            {
                Ok(consumer) => break consumer,
                Err(error) => {
                    tracing::warn!(%error, "the webhooks consumer is not there yet");
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(5)) => {}
                    }
                }
            }
        };
        while !shutdown.is_cancelled() {
            tokio::select! {
                () = shutdown.cancelled() => return,
                result = self.step(&consumer) => if let Err(error) = result {
                    tracing::warn!(%error, "webhook fan-out failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// One batch: fetch, record, acknowledge.
    async fn step(&self, consumer: &PullConsumer) -> anyhow::Result<()> {
        let mut messages = consumer
            .fetch()
            .max_messages(500)
            .expires(Duration::from_secs(1))
            .messages()
            .await?;
        let mut batch = Vec::new();
        while let Some(message) = messages.next().await {
            batch.push(message.map_err(|error| anyhow::anyhow!(error))?);
        }
        let Some(last) = batch.last() else {
            return Ok(());
        };
        let events: Vec<Published> = batch
            .iter()
            .filter_map(|message| match decode_msgpack(&message.payload) {
                Ok(event) => Some(event),
                Err(error) => {
                    tracing::warn!(subject = %message.subject, %error, "an undecodable event; no webhook for it");
                    None
                }
            })
            .collect();
        let deliveries = self.deliveries_of(&events).await?;
        if self.deliveries.record(&deliveries).await? > 0 {
            self.recorded.notify_one();
        }
        // AckPolicy::All: the last message acknowledges the batch.
        last.ack().await.map_err(|error| anyhow::anyhow!(error))?;
        Ok(())
    }

    /// A delivery per event and endpoint of its tenant that wants its type and was
    /// registered before it was recorded.
    async fn deliveries_of(&self, events: &[Published]) -> sqlx::Result<Vec<NewDelivery>> {
        let mut tenants: Vec<Uuid> = events.iter().map(|event| event.tenant_id).collect();
        tenants.sort_unstable();
        tenants.dedup();
        let subscribers = self.endpoints.of_tenants(&tenants).await?;
        Ok(events
            .iter()
            .flat_map(|event| {
                subscribers
                    .iter()
                    .filter(move |endpoint| {
                        endpoint.tenant_id == event.tenant_id
                            && endpoint.created_at <= event.recorded_at
                            && wants(&endpoint.event_types, &event.event_type)
                    })
                    .map(move |endpoint| NewDelivery {
                        endpoint_id: endpoint.id,
                        tenant_id: event.tenant_id,
                        event_id: event.event_id,
                        position: event.position,
                        event_type: event.event_type.clone(),
                    })
            })
            .collect())
    }
}
