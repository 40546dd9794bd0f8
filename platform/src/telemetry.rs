//! Logs and traces. `tracing` is the one API; a `tracing-opentelemetry` layer turns spans
//! into OpenTelemetry spans (exported over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT` is
//! set) and gives every request a W3C trace id even when nothing is exported, so the id
//! stored in event metadata always means something in the logs.
//!
//! Trace propagation across the event log: the command service stores the current
//! context in each event's metadata ([`current_trace_context`]); the relay copies it into
//! the NATS headers; a consumer makes its span a child of it ([`continue_trace`]).

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use caselog_schemas::TraceContext;

use crate::settings::{CommonSettings, LogFormat};

/// Flushes and stops trace export when dropped.
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}

/// Installs the global subscriber. `RUST_LOG` filters logs (default `info`).
pub fn init(service: &'static str, settings: &CommonSettings) -> anyhow::Result<TelemetryGuard> {
    let mut builder = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name(service).build());
    if let Some(endpoint) = &settings.otlp_endpoint {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .build()?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());

    let log_filter =
        || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let log_layer = match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer().boxed(),
    };
    // The exporter logs its own failures through tracing: keep those crates quiet on
    // the trace layer so an unreachable collector does not trace itself in a loop.
    let trace_filter = EnvFilter::new(
        "info,opentelemetry=warn,opentelemetry_sdk=warn,tonic=warn,h2=warn,hyper=warn",
    );
    let trace_layer = tracing_opentelemetry::layer().with_tracer(provider.tracer(service));

    tracing_subscriber::registry()
        .with(log_layer.with_filter(log_filter()))
        .with(trace_layer.with_filter(trace_filter))
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

/// Logging for a command-line tool (a rebuild, a verification): log lines on stderr,
/// so what the tool prints on stdout stays machine-readable. No traces.
pub fn init_tool(settings: &CommonSettings) -> anyhow::Result<()> {
    init_stderr(settings.log_format)
}

/// Log lines in `format` on stderr (tools, and the benchmark).
pub fn init_stderr(format: LogFormat) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let layer = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            // Colours for a person at a terminal, plain text for a file or a pipe.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init()?;
    Ok(())
}

/// The W3C context of the current span, to store in event metadata.
pub fn current_trace_context() -> Option<TraceContext> {
    let context = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    let traceparent = carrier.remove("traceparent")?;
    Some(TraceContext {
        traceparent,
        tracestate: carrier.remove("tracestate").filter(|s| !s.is_empty()),
    })
}

/// Makes `span` a child of a context carried by an event or a NATS message.
pub fn continue_trace(span: &tracing::Span, trace: &TraceContext) {
    let _ = span.set_parent(extract(trace));
}

/// Links `span` to a context carried by an event: for work done for several commands
/// at once (a projector's batch), whose span has one parent but serves them all.
pub fn link_trace(span: &tracing::Span, trace: &TraceContext) {
    let linked = extract(trace).span().span_context().clone();
    if linked.is_valid() {
        span.add_link(linked);
    }
}

fn extract(trace: &TraceContext) -> opentelemetry::Context {
    let mut carrier = HashMap::from([("traceparent".to_owned(), trace.traceparent.clone())]);
    if let Some(state) = &trace.tracestate {
        carrier.insert("tracestate".to_owned(), state.clone());
    }
    TraceContextPropagator::new().extract(&carrier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TraceContextExt;

    #[test]
    fn a_consumer_span_joins_the_trace_stored_by_the_command() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let command_span = tracing::info_span!("command");
            let stored = command_span
                .in_scope(current_trace_context)
                .expect("a trace context inside a span");
            let parts: Vec<&str> = stored.traceparent.split('-').collect();
            assert_eq!(parts.len(), 4, "W3C traceparent: {}", stored.traceparent);
            let command_trace_id = command_span.context().span().span_context().trace_id();
            assert_eq!(parts[1], command_trace_id.to_string());

            let projector_span = tracing::info_span!("projector");
            continue_trace(&projector_span, &stored);
            assert_eq!(
                projector_span.context().span().span_context().trace_id(),
                command_trace_id
            );
        });
    }

    #[test]
    fn outside_any_span_there_is_no_context_to_store() {
        assert_eq!(current_trace_context(), None);
    }
}
