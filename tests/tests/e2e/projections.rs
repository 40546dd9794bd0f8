//! The projections: a rebuild from the log equals the live read model and swaps in
//! while the service keeps running; a poison event is set aside as a dead letter
//! without stalling the rest; a message missing from JetStream is filled from the log.

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use caselog_eventlog::{AppendRequest, ExpectedVersion, NewEvent, StreamRef};
use caselog_schemas::{Actor, EventMetadata, Role, StreamId, StreamType, TenantId};
use caselog_testkit::eventually;
use caselog_testkit::stack::{Session, Stack};

const PROJECTIONS: [&str; 5] = ["inbox", "history", "internal_messages", "directory", "chat"];

/// Every row of every table of a projection's schema, in a stable order.
async fn snapshot(stack: &Stack, schema: &str) -> Value {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .bind(schema)
    .fetch_all(&stack.database.pool)
    .await
    .unwrap();
    assert!(!tables.is_empty(), "{schema} has tables");
    let mut all = serde_json::Map::new();
    for table in tables {
        let rows: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT coalesce(json_agg(t ORDER BY t::text), '[]'::json) FROM {schema}.{table} t"
        )))
        .fetch_one(&stack.database.pool)
        .await
        .unwrap();
        all.insert(table, rows);
    }
    Value::Object(all)
}

async fn caught_up(stack: &Stack) -> Value {
    let url = format!("{}/v1/projections", stack.projection.base_url);
    eventually(Duration::from_secs(20), "projections to catch up", || {
        let url = url.clone();
        let http = stack.http.clone();
        async move {
            let status: Value = http.get(url).send().await.ok()?.json().await.ok()?;
            let all_caught_up = status["projections"]
                .as_array()?
                .iter()
                .all(|projection| projection["lag"] == 0);
            all_caught_up.then_some(status)
        }
    })
    .await
}

/// The chat's share of the day: a channel, mentions, a reaction, read marks.
async fn chat_day(admin: &Session, agent: &Session) {
    let channel = admin
        .post(
            "/v1/chat/channels",
            json!({"name": "general", "kind": "public", "members": [agent.user]}),
        )
        .await
        .ok()
        .body["stream_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = admin
        .post(
            &format!("/v1/chat/channels/{channel}/messages"),
            json!({"text": format!("@{} bom dia", agent.user)}),
        )
        .await
        .ok()
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    agent
        .post(
            &format!("/v1/chat/channels/{channel}/messages/{message}/reactions"),
            json!({"emoji": "👍"}),
        )
        .await
        .ok();
    agent
        .post(&format!("/v1/chat/channels/{channel}/read"), json!({}))
        .await
        .ok();
}

async fn busy_day(admin: &Session, agent: &Session, gateway: &Session) {
    admin
        .put(
            &format!("/v1/users/{}", agent.user),
            json!({"name": "Bruno", "email": "b@example.com", "role": "agent"}),
        )
        .await
        .ok();
    admin
        .put(
            &format!("/v1/users/{}", admin.user),
            json!({"name": "Ana", "email": "a@example.com", "role": "admin"}),
        )
        .await
        .ok();
    admin
        .post(
            "/v1/snippets",
            json!({"name": "hi", "text": "Olá $contact.name"}),
        )
        .await
        .ok();
    chat_day(admin, agent).await;
    for n in 0..6 {
        let contact = Uuid::now_v7();
        admin
            .put(
                &format!("/v1/contacts/{contact}"),
                json!({"name": format!("Contact {n}"), "country": "BR"}),
            )
            .await
            .ok();
        let conversation = gateway
            .post("/v1/inbound-messages", json!({"contact_id": contact, "channel": "whatsapp", "text": format!("pedido {n} ✓")}))
            .await
            .ok()
            .body["stream_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = |tail: &str| format!("/v1/conversations/{conversation}{tail}");
        if n % 2 == 0 {
            agent
                .post(&path("/messages"), json!({"text": "Estamos a ver"}))
                .await
                .ok();
            admin
                .post(
                    &path("/internal-messages"),
                    json!({"to": agent.user, "text": "prioridade"}),
                )
                .await
                .ok();
        }
        if n % 3 == 0 {
            admin
                .post(
                    &path("/visibility"),
                    json!({"visible_to": [admin.user, agent.user]}),
                )
                .await
                .ok();
            agent
                .post(&path("/notes"), json!({"text": "VIP"}))
                .await
                .ok();
            admin.post(&path("/resolve"), json!({})).await.ok();
        }
        if n == 5 {
            admin.delete(&path("")).await.ok();
        }
    }
}

#[tokio::test]
async fn a_rebuild_from_the_log_equals_the_live_read_model_and_a_poison_event_is_set_aside() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let agent = stack.session(tenant, Uuid::now_v7(), Role::Agent);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    busy_day(&admin, &agent, &gateway).await;

    // A stored event whose payload does not match its type (written around the API).
    let poison = stack
        .database
        .event_log()
        .append(AppendRequest {
            stream: StreamRef {
                tenant_id: TenantId(tenant),
                stream_type: StreamType::new("conversation").unwrap(),
                stream_id: StreamId(Uuid::now_v7()),
            },
            expected_version: ExpectedVersion::Any,
            events: vec![NewEvent {
                event_type: "ConversationStarted".into(),
                schema_version: 1,
                payload: json!({"unexpected": "shape"}),
            }],
            metadata: EventMetadata::for_new_command(Actor::system()),
            idempotency_key: None,
            request_fingerprint: None,
            erases_stream: false,
        })
        .await
        .unwrap();
    // The events after it are still projected.
    busy_day(&admin, &agent, &gateway).await;
    let status = caught_up(&stack).await;
    for projection in status["projections"].as_array().unwrap() {
        // The poison event is a conversation's: the directory and the chat never read it.
        let expected = if projection["name"] == "directory" || projection["name"] == "chat" {
            0
        } else {
            1
        };
        assert_eq!(projection["dead_letters"], expected, "{projection}");
    }
    let (attempts, event_type): (i32, String) = sqlx::query_as(
        "SELECT attempts, event_type FROM projections.dead_letters WHERE projection = 'inbox' AND position = $1",
    )
    .bind(poison.position.0)
    .fetch_one(&stack.database.pool)
    .await
    .unwrap();
    assert_eq!((attempts, event_type.as_str()), (3, "ConversationStarted"));
    assert_eq!(admin.get("/v1/inbox/team").await.ok().items().len(), 10);

    let live: Vec<Value> = futures::future::join_all(
        PROJECTIONS.map(|name| snapshot(&stack, Box::leak(format!("rm_{name}").into_boxed_str()))),
    )
    .await;
    for (name, live) in PROJECTIONS.iter().zip(live) {
        let report = stack.rebuild(name).await;
        assert_eq!(report["projection"], *name);
        let rebuilt = snapshot(&stack, &format!("rm_{name}")).await;
        assert_eq!(rebuilt, live, "rebuilt {name} equals the live one");
    }

    // The live runners carry on after the swap.
    let contact = Uuid::now_v7();
    admin
        .put(
            &format!("/v1/contacts/{contact}"),
            json!({"name": "After Rebuild"}),
        )
        .await
        .ok();
    gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "still here"}),
        )
        .await
        .ok();
    let found = admin.get("/v1/inbox/team?q=still%20here").await.ok();
    assert_eq!(found.items().len(), 1);
    assert_eq!(found.items()[0]["contact"]["name"], "After Rebuild");
    stack.stop().await;
}

#[tokio::test]
async fn an_event_missing_from_jetstream_is_filled_from_the_log() {
    // caselog's stream denies deletes; this one, like an older deployment's, does not.
    let nats = caselog_testkit::jetstream::TestNats::connect_allowing_deletes().await;
    let mut stack = Stack::start_on(nats, &[]).await;
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
    let contact = admin.new_contact("Gap").await;
    caught_up(&stack).await;
    stack.kill_projection().await;

    let started = gateway
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "sms", "text": "first"}),
        )
        .await
        .ok();
    let conversation = started.body["stream_id"].as_str().unwrap().to_owned();
    let note = admin
        .post(
            &format!("/v1/conversations/{conversation}/notes"),
            json!({"text": "lost in transit"}),
        )
        .await
        .ok();
    let note_position = note.body["position"].as_u64().unwrap();
    gateway
        .post(
            &format!("/v1/conversations/{conversation}/messages"),
            json!({"text": "bot reply", "sender_kind": "bot"}),
        )
        .await
        .ok();
    // Wait until the relay has published everything, then lose the note's message.
    let stream_name = stack.nats.stream_name.clone();
    let mut stream = stack.nats.jetstream.get_stream(&stream_name).await.unwrap();
    let head = stack.log_length().await as u64;
    eventually(Duration::from_secs(10), "the relay to publish", || {
        let mut stream = stream.clone();
        async move { (stream.info().await.ok()?.state.last_sequence >= head).then_some(()) }
    })
    .await;
    assert!(stream.delete_message(note_position).await.unwrap());
    assert!(stream.get_raw_message(note_position).await.is_err());
    let _ = stream.info().await;

    stack.restart_projection().await;
    caught_up(&stack).await;
    let history = admin
        .get(&format!("/v1/conversations/{conversation}/history"))
        .await
        .ok();
    let kinds: Vec<&str> = history
        .items()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "conversation_started",
            "message_received",
            "private_note_added",
            "bot_enabled",
            "message_sent"
        ]
    );
    stack.stop().await;
}
