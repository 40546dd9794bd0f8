//! README "The event log": old events stay readable forever. A `ConversationClosed` stored at
//! schema v1 (`{automatic: true}`, as the first builds wrote it) is read by every
//! reader as v2 (`{reason: "auto_close"}`): the command side's rules, the projections,
//! the `as_of` replay; and the stored v1 bytes still verify.

use serde_json::json;
use uuid::Uuid;

use caselog_eventlog::{AppendRequest, ExpectedVersion, NewEvent, StreamRef};
use caselog_schemas::{Actor, EventMetadata, Role, StreamId, StreamType, StreamVersion, TenantId};
use caselog_testkit::stack::Stack;

#[tokio::test]
async fn a_stored_v1_close_reads_as_v2_everywhere() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let auditor = stack.session(tenant, Uuid::now_v7(), Role::Auditor);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    admin.register(&admin, "admin").await;
    let contact = admin.new_contact("Maria").await;
    let conversation = gateway.inbound(contact, "sms", "olá").await;
    let resolved = admin
        .post(
            &format!("/v1/conversations/{conversation}/resolve"),
            json!({}),
        )
        .await
        .ok();
    let version = resolved.body["stream_version"].as_i64().unwrap();

    // An old build's auto-close, written at schema version 1.
    let stream = StreamRef {
        tenant_id: TenantId(tenant),
        stream_type: StreamType::new("conversation").unwrap(),
        stream_id: StreamId(conversation.parse().unwrap()),
    };
    let stored = stack
        .database
        .event_log()
        .append(AppendRequest {
            stream: stream.clone(),
            expected_version: ExpectedVersion::Exact(StreamVersion(version)),
            events: vec![NewEvent {
                event_type: "ConversationClosed".into(),
                schema_version: 1,
                payload: json!({"automatic": true}),
            }],
            metadata: EventMetadata::for_new_command(Actor::system()),
            idempotency_key: None,
            request_fingerprint: None,
            erases_stream: false,
        })
        .await
        .unwrap();
    let (schema_version, payload): (i32, serde_json::Value) =
        sqlx::query_as("SELECT schema_version, payload FROM eventlog.events WHERE position = $1")
            .bind(stored.position.0)
            .fetch_one(&stack.database.pool)
            .await
            .unwrap();
    assert_eq!(
        (schema_version, payload),
        (1, json!({"automatic": true})),
        "stored as v1"
    );
    let at = stored.position.0;
    auditor.observe(at);

    // The projections decoded it: the case is closed, its history says why, in v2 words.
    let summary = auditor
        .get(&format!("/v1/conversations/{conversation}"))
        .await
        .ok();
    assert_eq!(summary.body["status"], "closed");
    let last_entry = |query: String| {
        let auditor = auditor.clone();
        let path = format!("/v1/conversations/{conversation}/history{query}");
        async move {
            let page = auditor.get(&path).await.ok().body;
            page["items"].as_array().unwrap().last().unwrap().clone()
        }
    };
    let projected = last_entry(format!("?cursor={}", at - 1)).await;
    assert_eq!(projected["kind"], "conversation_closed");
    assert_eq!(projected["data"], json!({"reason": "auto_close"}));
    let replayed = last_entry(format!("?as_of={at}")).await;
    assert_eq!(
        replayed, projected,
        "the replay from the log upcasts the same way"
    );

    // The command side folded it too: a closed case takes no reply…
    let reply = admin
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({"text": "still there?"}),
        )
        .await;
    assert_eq!(reply.problem_type(), "caselog:rule", "{}", reply.body);
    // …and the v1 bytes are what the chain covers.
    let verified = auditor
        .get(&format!("/v1/conversations/{conversation}/verify"))
        .await
        .ok();
    assert_eq!(verified.body["ok"], true);
    stack.stop().await;
}
