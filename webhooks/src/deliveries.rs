//! The deliveries' table (`webhooks.deliveries`, with each attempt in
//! `webhooks.attempts`): what is due, who is sending it, and how each attempt went.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// One event for one endpoint, about to be recorded.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub endpoint_id: Uuid,
    pub tenant_id: Uuid,
    pub event_id: Uuid,
    pub position: i64,
    pub event_type: String,
}

/// A delivery a sender has taken for one attempt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub tenant_id: Uuid,
    pub position: i64,
    pub event_type: String,
    /// This attempt's number, counted across every retry.
    pub attempt: i32,
    /// Failed attempts since it was last queued by hand (the schedule counts these).
    pub failures: i32,
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration: Duration,
}

/// What becomes of the delivery after an attempt.
#[derive(Debug, Clone, Copy)]
pub enum Next {
    Delivered,
    RetryAt(DateTime<Utc>),
    Dead,
}

/// A delivery as the endpoint's admins read it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Delivery {
    /// Also the `webhook-id` header: receivers deduplicate by it.
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub position: i64,
    /// `pending`, `delivered` or `dead` (every attempt failed: a dead letter).
    pub status: String,
    pub attempts: i32,
    /// The receiver's status code at the last attempt.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Deliveries {
    pool: PgPool,
}

impl Deliveries {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records `deliveries`, due now; one already recorded (NATS delivered its event
    /// again) is left as it is.
    pub async fn record(&self, deliveries: &[NewDelivery]) -> sqlx::Result<u64> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let column = |f: fn(&NewDelivery) -> Uuid| deliveries.iter().map(f).collect::<Vec<_>>();
        let ids: Vec<Uuid> = deliveries.iter().map(|_| Uuid::now_v7()).collect();
        let recorded = sqlx::query(
            "INSERT INTO webhooks.deliveries \
             (id, endpoint_id, tenant_id, event_id, position, event_type, status, next_attempt_at) \
             SELECT id, endpoint_id, tenant_id, event_id, position, event_type, 'pending', now() \
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::text[]) \
               AS d(id, endpoint_id, tenant_id, event_id, position, event_type) \
             ON CONFLICT (endpoint_id, event_id) DO NOTHING",
        )
        .bind(ids)
        .bind(column(|d| d.endpoint_id))
        .bind(column(|d| d.tenant_id))
        .bind(column(|d| d.event_id))
        .bind(deliveries.iter().map(|d| d.position).collect::<Vec<_>>())
        .bind(
            deliveries
                .iter()
                .map(|d| d.event_type.clone())
                .collect::<Vec<_>>(),
        )
        .execute(&self.pool)
        .await?;
        Ok(recorded.rows_affected())
    }

    /// Takes up to `limit` due deliveries for one attempt each, for `lease` (after
    /// which another sender may take one whose sender died).
    pub async fn claim(&self, limit: i64, lease: Duration) -> sqlx::Result<Vec<Claimed>> {
        sqlx::query_as(
            "UPDATE webhooks.deliveries SET leased_until = now() + $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM webhooks.deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= now() \
                   AND (leased_until IS NULL OR leased_until < now()) \
                 ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, endpoint_id, tenant_id, position, event_type, attempts AS attempt, \
                       failures",
        )
        .bind(limit)
        .bind(lease)
        .fetch_all(&self.pool)
        .await
    }

    /// Records how an attempt went and what follows it.
    pub async fn finish(
        &self,
        claimed: &Claimed,
        attempt: &Attempt,
        next: Next,
    ) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO webhooks.attempts (delivery_id, attempt, at, status_code, error, duration_ms) \
             VALUES ($1, $2, now(), $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(claimed.id)
        .bind(claimed.attempt)
        .bind(attempt.status_code.map(i32::from))
        .bind(&attempt.error)
        .bind(i32::try_from(attempt.duration.as_millis()).unwrap_or(i32::MAX))
        .execute(&mut *tx)
        .await?;
        let (status, next_attempt_at) = match next {
            Next::Delivered => ("delivered", None),
            Next::RetryAt(at) => ("pending", Some(at)),
            Next::Dead => ("dead", None),
        };
        sqlx::query(
            "UPDATE webhooks.deliveries SET status = $2, \
                 next_attempt_at = coalesce($3, next_attempt_at), leased_until = NULL, \
                 failures = CASE WHEN $2 = 'delivered' THEN failures ELSE failures + 1 END, \
                 last_status = $4, last_error = $5, \
                 delivered_at = CASE WHEN $2 = 'delivered' THEN now() END \
             WHERE id = $1",
        )
        .bind(claimed.id)
        .bind(status)
        .bind(next_attempt_at)
        .bind(attempt.status_code.map(i32::from))
        .bind(&attempt.error)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// A page of endpoint `endpoint`'s deliveries, newest first, before `before` (a
    /// delivery id of the previous page), with `status` if given.
    pub async fn page(
        &self,
        endpoint: Uuid,
        status: Option<&str>,
        before: Option<Uuid>,
        limit: i64,
    ) -> sqlx::Result<Vec<Delivery>> {
        sqlx::query_as(
            "SELECT id, event_id, event_type, position, status, attempts, last_status, last_error, \
                    CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at, \
                    delivered_at, created_at \
             FROM webhooks.deliveries \
             WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2) \
               AND ($3::uuid IS NULL OR (position, id) < \
                    (SELECT position, id FROM webhooks.deliveries WHERE id = $3 AND endpoint_id = $1)) \
             ORDER BY position DESC, id DESC LIMIT $4",
        )
        .bind(endpoint)
        .bind(status)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Queues endpoint `endpoint`'s delivery `id` to be sent now, with a whole new
    /// schedule of attempts (a dead letter's retry); whether there is such a delivery.
    pub async fn retry(&self, endpoint: Uuid, id: Uuid) -> sqlx::Result<bool> {
        let queued = sqlx::query(
            "UPDATE webhooks.deliveries SET status = 'pending', next_attempt_at = now(), \
                 failures = 0, leased_until = NULL, delivered_at = NULL \
             WHERE endpoint_id = $1 AND id = $2",
        )
        .bind(endpoint)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(queued.rows_affected() == 1)
    }
}
