use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

use caselog_platform::telemetry::current_trace_context;
use caselog_schemas::{
    Actor, EventEnvelope, EventId, EventMetadata, Position, StreamId, StreamType, StreamVersion,
    TenantId, TraceContext,
};

use super::batch_span;

fn event(position: i64, trace: Option<TraceContext>) -> EventEnvelope {
    EventEnvelope {
        position: Position(position),
        event_id: EventId::new_v7(),
        tenant_id: TenantId::new_v7(),
        stream_type: StreamType::new("conversation").unwrap(),
        stream_id: StreamId(uuid::Uuid::now_v7()),
        stream_version: StreamVersion(1),
        event_type: "PrivateNoteAdded".into(),
        schema_version: 1,
        payload: serde_json::json!({}),
        metadata: EventMetadata {
            trace,
            ..EventMetadata::for_new_command(Actor::system())
        },
        recorded_at: chrono::Utc::now(),
        previous_hash: "00".repeat(32),
        hash: "00".repeat(32),
        tenant_hash: "00".repeat(32),
        log_hash: "00".repeat(32),
    }
}

#[test]
fn a_batch_joins_the_trace_of_the_first_command_it_applies() {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, || {
        let first = tracing::info_span!("first command");
        let second = tracing::info_span!("second command");
        let first_trace = first.in_scope(current_trace_context).unwrap();
        let second_trace = second.in_scope(current_trace_context).unwrap();
        let events = [
            event(1, None),
            event(2, Some(first_trace)),
            event(3, Some(second_trace)),
        ];
        let span = batch_span(&events);
        assert_eq!(
            span.context().span().span_context().trace_id(),
            first.context().span().span_context().trace_id(),
            "the batch continues the first traced command's trace"
        );
        let untraced = batch_span(&events[..1]);
        assert_ne!(
            untraced.context().span().span_context().trace_id(),
            first.context().span().span_context().trace_id(),
        );
    });
}
