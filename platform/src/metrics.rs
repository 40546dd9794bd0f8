//! Every metric caselog exports, described once: `/metrics` prints a `# HELP` line for
//! each, and every histogram has buckets, so Prometheus gets real histograms (which
//! aggregate across replicas) and never summaries (which do not).

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

/// Seconds: from a cached read (1 ms) to a slow export (30 s).
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Counts: how many commands one group commit carried.
const COUNTS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// The recorder's builder: buckets for every histogram (seconds unless named otherwise).
pub fn builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets(SECONDS)
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Full("caselog_eventlog_batch_appends".into()),
                COUNTS,
            )
        })
        .expect("the buckets are not empty")
}

/// Registers the `# HELP` text of every metric.
pub fn describe() {
    describe_histogram!(
        "http_server_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request (to the response's headers for a stream), by method, route template and status."
    );
    describe_histogram!(
        "caselog_eventlog_commit_seconds",
        Unit::Seconds,
        "Time to commit one group of appends to the log."
    );
    describe_histogram!(
        "caselog_eventlog_batch_appends",
        Unit::Count,
        "Commands carried by one group commit."
    );
    describe_gauge!(
        "caselog_eventlog_writer_queue_depth",
        "Appends waiting for the log's single writer."
    );
    describe_counter!(
        "caselog_eventlog_appended_events_total",
        "Events appended to the log."
    );
    describe_counter!(
        "caselog_checkpoints_signed_total",
        "Signed checkpoints appended, one per tenant whose log moved."
    );
    describe_gauge!(
        "caselog_relay_active",
        "1 while this instance is the relay that publishes the log to NATS."
    );
    describe_gauge!(
        "caselog_relay_published_position",
        "The last log position JetStream acknowledged."
    );
    describe_gauge!(
        "caselog_relay_lag_events",
        "Events committed to the log and not yet acknowledged by JetStream."
    );
    describe_counter!(
        "caselog_webhook_deliveries_total",
        "Webhook delivery attempts, by outcome (delivered, failed: to be retried, dead: the last attempt failed)."
    );
    describe_histogram!(
        "caselog_webhook_delivery_duration_seconds",
        Unit::Seconds,
        "How long a webhook receiver took to answer an attempt (or to fail)."
    );
    describe_counter!(
        "caselog_subscription_logins_total",
        "NATS logins of subscriptions' users the auth callout answered, by outcome (admitted, refused)."
    );
    describe_counter!(
        "caselog_relay_published_events_total",
        "Events the relay published."
    );
    describe_counter!(
        "caselog_relay_failures_total",
        "Attempts to publish that failed (NATS unreachable, the stream refusing)."
    );
    describe_counter!(
        "caselog_relay_payloads_omitted_total",
        "Events published without their payload, too large for the server's max_payload."
    );
    describe_projections();
    describe_reads();
}

fn describe_projections() {
    describe_gauge!(
        "caselog_projection_active",
        "1 while this instance applies the projection."
    );
    describe_gauge!(
        "caselog_projection_position",
        "The last log position the projection applied."
    );
    describe_gauge!(
        "caselog_projection_lag_events",
        "Events committed to the log and not yet applied by the projection."
    );
    describe_gauge!(
        "caselog_projection_lag_seconds",
        "How long the oldest event not yet applied has waited."
    );
    describe_gauge!(
        "caselog_projection_dead_letters",
        "Events the projection set aside because it could not apply them."
    );
    describe_counter!(
        "caselog_projection_panics_total",
        "Times applying a batch panicked (the batch is retried)."
    );
}

fn describe_reads() {
    describe_counter!(
        "caselog_http_rate_limited_total",
        "Requests refused with 429: a user or tenant over its rate."
    );
    describe_counter!(
        "caselog_http_shed_total",
        "Requests refused with 503: too many in flight."
    );
    describe_counter!(
        "caselog_query_cache_total",
        "Read-model cache lookups, by route and outcome (hit or miss)."
    );
    describe_counter!(
        "caselog_query_min_position_checks_total",
        "Reads that waited for X-Min-Position, by outcome."
    );
    describe_gauge!(
        "caselog_export_renders_running",
        "PDF exports being rendered now."
    );
    describe_counter!(
        "caselog_export_renders_stopped_total",
        "PDF renders stopped before the end (time limit, or the client went away)."
    );
}
