//! The dispatcher's second half: takes due deliveries, reads each one's event from the
//! log (opened, so an event erased since goes out with its placeholders), signs it and
//! POSTs it to the endpoint, and records the attempt: delivered on a 2xx, otherwise
//! retried on the schedule and, after the last attempt, a dead letter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use caselog_eventlog::LogReader;
use caselog_schemas::TenantId;

use crate::deliveries::{Attempt, Claimed, Deliveries, Next};
use crate::endpoint::{ReceiverRules, receiver_url};
use crate::endpoints::Endpoints;
use crate::schedule::RetrySchedule;

/// Deliveries taken at once, and sent at once.
const BATCH: i64 = 64;
const CONCURRENCY: usize = 16;
/// How long a receiver has to answer.
const RECEIVER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a taken delivery is this sender's (longer than an attempt can take).
const LEASE: Duration = Duration::from_secs(60);
/// How much of a receiver's error is kept.
const MAX_ERROR_LENGTH: usize = 500;

pub struct Sender {
    pub endpoints: Endpoints,
    pub deliveries: Deliveries,
    pub log: LogReader,
    pub http: reqwest::Client,
    pub schedule: RetrySchedule,
    pub rules: ReceiverRules,
    /// How often due retries are looked for when nothing wakes the sender.
    pub poll: Duration,
    pub recorded: Arc<Notify>,
}

impl Sender {
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let claimed = match self.deliveries.claim(BATCH, LEASE).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "taking due webhook deliveries");
                    Vec::new()
                }
            };
            let full = i64::try_from(claimed.len()).unwrap_or(0) == BATCH;
            futures::stream::iter(claimed)
                .for_each_concurrent(CONCURRENCY, |delivery| self.send(delivery))
                .await;
            if full {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.recorded.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    async fn send(&self, delivery: Claimed) {
        let started = Instant::now();
        let outcome = self.attempt(&delivery).await;
        let attempt = match outcome {
            Ok(None) => return,
            Ok(Some(status)) if (200..300).contains(&status) => Attempt {
                status_code: Some(status),
                error: None,
                duration: started.elapsed(),
            },
            Ok(Some(status)) => Attempt {
                status_code: Some(status),
                error: Some(format!("the receiver answered {status}")),
                duration: started.elapsed(),
            },
            Err(error) => Attempt {
                status_code: None,
                error: Some(truncated(&format!("{error:#}"))),
                duration: started.elapsed(),
            },
        };
        let failed = u32::try_from(delivery.failures).unwrap_or(0) + 1;
        let next = if attempt.error.is_none() {
            Next::Delivered
        } else {
            match self.schedule.wait_after(failed) {
                Some(wait) => Next::RetryAt(
                    chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                ),
                None => Next::Dead,
            }
        };
        let outcome = match next {
            Next::Delivered => "delivered",
            Next::RetryAt(_) => "failed",
            Next::Dead => "dead",
        };
        metrics::counter!("caselog_webhook_deliveries_total", "outcome" => outcome).increment(1);
        metrics::histogram!("caselog_webhook_delivery_duration_seconds")
            .record(attempt.duration.as_secs_f64());
        if let Err(error) = self.deliveries.finish(&delivery, &attempt, next).await {
            // The lease runs out and the delivery is tried again: at least once.
            tracing::warn!(%error, delivery = %delivery.id, "recording a webhook attempt");
        }
    }

    /// Sends the delivery once: the receiver's status, or `None` when there is nothing
    /// to send any more (its endpoint was deleted).
    async fn attempt(&self, delivery: &Claimed) -> anyhow::Result<Option<u16>> {
        let Some(target) = self.endpoints.target(delivery.endpoint_id).await? else {
            return Ok(None);
        };
        let url = receiver_url(&target.url, self.rules).map_err(anyhow::Error::msg)?;
        let mut events = self
            .log
            .read_tenant_positions(TenantId(delivery.tenant_id), &[delivery.position])
            .await?;
        caselog_eventlog::make_readable(self.log.pool(), &mut events).await?;
        let event = events.pop().ok_or_else(|| {
            anyhow::anyhow!("event at position {} is not in the log", delivery.position)
        })?;
        let id = delivery.id.to_string();
        let body = serde_json::to_vec(&json!({
            "type": event.event_type,
            "timestamp": event.recorded_at,
            "data": event,
        }))?;
        let timestamp = chrono::Utc::now().timestamp();
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                target.secret.sign(&id, timestamp, &body),
            )
            .body(body)
            .timeout(RECEIVER_TIMEOUT)
            .send()
            .await?;
        Ok(Some(response.status().as_u16()))
    }
}

fn truncated(error: &str) -> String {
    error.chars().take(MAX_ERROR_LENGTH).collect()
}
