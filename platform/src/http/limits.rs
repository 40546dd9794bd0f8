//! Abuse limits every API router gets (docs/production.md "Limits"): a cap on requests
//! in flight per process, and token-bucket rates (governor) per user and per tenant,
//! checked once the token is verified so nobody can spend another's budget by naming
//! them in a forged token. Requests without a valid token share one small bucket: they
//! are all refused anyway, and verifying floods of them costs CPU.
//!
//! Event streams are held to a few per user (`StreamSlots`).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::Caller;
use super::caller::{Authentication, authenticate};
use super::problem::{Problem, ProblemType};
use crate::settings::LimitSettings;
use crate::token::TokenVerifier;

/// Requests with no valid token, all together, a second (and at once).
const ANONYMOUS_RATE: u32 = 50;
const ANONYMOUS_BURST: u32 = 200;
/// How often idle keys are dropped from the per-user and per-tenant buckets.
const FORGET_IDLE_EVERY: Duration = Duration::from_secs(60);

/// The limits of one API service; cheap to clone.
#[derive(Clone)]
pub struct ApiLimits(Arc<Limits>);

struct Limits {
    tokens: TokenVerifier,
    request_timeout: Duration,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
    per_user: DefaultKeyedRateLimiter<(Uuid, Uuid)>,
    per_tenant: DefaultKeyedRateLimiter<Uuid>,
    anonymous: DefaultDirectRateLimiter,
    streams: StreamSlots,
}

impl ApiLimits {
    /// Must be called within the Tokio runtime: it starts the task that forgets idle
    /// users and tenants.
    pub fn new(settings: &LimitSettings, tokens: TokenVerifier) -> Self {
        let limits = Arc::new(Limits {
            tokens,
            request_timeout: settings.request_timeout,
            in_flight: Arc::new(Semaphore::new(settings.max_concurrent_requests)),
            max_in_flight: settings.max_concurrent_requests,
            per_user: RateLimiter::keyed(
                Quota::per_second(settings.rate_per_user).allow_burst(settings.burst_per_user),
            ),
            per_tenant: RateLimiter::keyed(
                Quota::per_second(settings.rate_per_tenant).allow_burst(settings.burst_per_tenant),
            ),
            anonymous: RateLimiter::direct(
                Quota::per_second(NonZeroU32::new(ANONYMOUS_RATE).expect("non-zero"))
                    .allow_burst(NonZeroU32::new(ANONYMOUS_BURST).expect("non-zero")),
            ),
            streams: StreamSlots::new(settings.max_streams_per_user),
        });
        let weak = Arc::downgrade(&limits);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_IDLE_EVERY);
            loop {
                every.tick().await;
                let Some(limits) = weak.upgrade() else { return };
                limits.per_user.retain_recent();
                limits.per_tenant.retain_recent();
            }
        });
        Self(limits)
    }

    pub fn request_timeout(&self) -> Duration {
        self.0.request_timeout
    }

    /// One of `caller`'s event-stream slots, freed when the returned guard is dropped
    /// (the stream ends), or 429 when all are open.
    pub fn stream_slot(&self, caller: &Caller) -> Result<StreamSlot, Problem> {
        self.0.streams.take(caller)
    }
}

/// 503 with `Retry-After` when the process is at its limit of requests in flight.
pub(super) async fn limit_in_flight(
    State(limits): State<ApiLimits>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = limits.0.in_flight.clone().try_acquire_owned() else {
        metrics::counter!("caselog_http_shed_total").increment(1);
        return Problem::unavailable(format!(
            "this instance is handling its limit of {} requests; retry shortly",
            limits.0.max_in_flight
        ))
        .into_response();
    };
    next.run(request).await
}

/// Verifies the token once, then spends one request of the user's and the tenant's
/// buckets; 429 with `Retry-After` when either is empty.
pub(super) async fn limit_rate(
    State(limits): State<ApiLimits>,
    mut request: Request,
    next: Next,
) -> Response {
    let limits = &limits.0;
    let authentication = authenticate(request.headers(), &limits.tokens).await;
    let refused = match &authentication {
        Ok(caller) => limits
            .per_user
            .check_key(&(caller.tenant_id.0, caller.user_id.0))
            .map_err(|wait| ("you are", wait))
            .and_then(|()| {
                limits
                    .per_tenant
                    .check_key(&caller.tenant_id.0)
                    .map_err(|wait| ("your organisation is", wait))
            })
            .err()
            .map(|(who, wait)| (who, wait.wait_time_from(DefaultClock::default().now()))),
        Err(_) => limits.anonymous.check().err().map(|wait| {
            (
                "unauthenticated callers are",
                wait.wait_time_from(DefaultClock::default().now()),
            )
        }),
    };
    if let Some((who, wait)) = refused {
        metrics::counter!("caselog_http_rate_limited_total").increment(1);
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u32;
        return Problem {
            retry_after: Some(seconds),
            ..Problem::new(
                ProblemType::TooManyRequests,
                format!("{who} sending requests faster than allowed; retry in {seconds} s"),
            )
        }
        .into_response();
    }
    request
        .extensions_mut()
        .insert(Authentication(authentication));
    next.run(request).await
}

/// Open event streams per user.
struct StreamSlots {
    max: usize,
    open: Arc<Mutex<HashMap<(Uuid, Uuid), usize>>>,
}

/// An open event stream's slot; dropping it frees the slot.
pub struct StreamSlot {
    key: (Uuid, Uuid),
    open: Arc<Mutex<HashMap<(Uuid, Uuid), usize>>>,
}

impl StreamSlots {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    fn take(&self, caller: &Caller) -> Result<StreamSlot, Problem> {
        let key = (caller.tenant_id.0, caller.user_id.0);
        let mut open = self.open.lock().expect("stream slots lock");
        let count = open.entry(key).or_default();
        if *count >= self.max {
            return Err(Problem {
                retry_after: Some(5),
                ..Problem::new(
                    ProblemType::TooManyRequests,
                    format!(
                        "you already have {} event streams open; close one first",
                        self.max
                    ),
                )
            });
        }
        *count += 1;
        Ok(StreamSlot {
            key,
            open: self.open.clone(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().expect("stream slots lock");
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}
