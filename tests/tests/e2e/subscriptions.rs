//! Subscriptions integrators own (README "Subscribing to caselog events"): the operator
//! makes one with `command-service subscriptions add`, and its NATS user, admitted by
//! the command service's auth callout, reads its tenant's events through its own
//! consumer and nothing else: not another tenant's, not another consumer, not the
//! stream.

use std::time::Duration;

use async_nats::jetstream::{self, consumer::PullConsumer};
use futures::StreamExt;
use serde_json::Value;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::eventually;
use caselog_testkit::stack::Stack;

use super::nats_permissions::{connect_with, publish_refused, request_refused};

async fn add(stack: &Stack, args: &[&str]) -> Value {
    let mut full = vec!["add"];
    full.extend_from_slice(args);
    let (ok, printed, errors) = stack.subscriptions(&full).await;
    assert!(ok, "subscriptions {args:?}: {errors}");
    printed
}

/// Connection options with the credentials `add` printed.
fn login(created: &Value) -> async_nats::ConnectOptions {
    let nats = &created["nats"];
    async_nats::ConnectOptions::with_user_and_password(
        nats["user"].as_str().unwrap().to_owned(),
        nats["password"].as_str().unwrap().to_owned(),
    )
    .custom_inbox_prefix(nats["inbox_prefix"].as_str().unwrap())
}

/// Every message its consumer delivers, acknowledged; their subjects.
async fn read_everything(consumer: &PullConsumer) -> Vec<String> {
    let mut subjects = Vec::new();
    loop {
        let mut batch = consumer
            .fetch()
            .max_messages(100)
            .expires(Duration::from_millis(700))
            .messages()
            .await
            .expect("a fetch");
        let before = subjects.len();
        while let Some(message) = batch.next().await {
            let message = message.expect("a message");
            subjects.push(message.subject.to_string());
            message.ack().await.expect("an ack");
        }
        if subjects.len() == before {
            return subjects;
        }
    }
}

/// Some events of a tenant of its own, through the commands.
async fn a_tenant_with_events(stack: &Stack) -> Uuid {
    let tenant = Uuid::now_v7();
    let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
    admin.register(&admin, "admin").await;
    admin.new_contact("Maria").await;
    tenant
}

async fn events_of(stack: &Stack, tenant: Uuid) -> usize {
    let (count,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM eventlog.events WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&stack.database.pool)
            .await
            .unwrap();
    usize::try_from(count).unwrap()
}

#[tokio::test]
async fn a_tenants_subscription_reads_that_tenants_events_and_nothing_else() {
    let stack = Stack::start().await;
    let (acme, globex) = (
        a_tenant_with_events(&stack).await,
        a_tenant_with_events(&stack).await,
    );
    let events = stack.log_length().await;
    eventually(
        Duration::from_secs(10),
        "the relay publishing everything",
        || async { (stack.nats.last_sequence().await as i64 == events).then_some(()) },
    )
    .await;
    let stream = stack.nats.stream_name.clone();
    let suffix = &Uuid::now_v7().simple().to_string()[20..];
    let (acme_name, globex_name, all_name) = (
        format!("acme-{suffix}"),
        format!("globex-{suffix}"),
        format!("all-{suffix}"),
    );
    let acme_sub = add(&stack, &[&acme_name, "--tenant", &acme.to_string()]).await;
    let globex_sub = add(&stack, &[&globex_name, "--tenant", &globex.to_string()]).await;
    let all_sub = add(&stack, &[&all_name, "--all"]).await;
    assert_eq!(acme_sub["tenant"], acme.to_string());
    assert_eq!(acme_sub["nats"]["consumer"], format!("sub-{acme_name}"));
    assert_eq!(globex_sub["tenant"], globex.to_string());
    assert_eq!(all_sub["tenant"], Value::Null);

    // Acme's user reads exactly acme's events through its consumer…
    let (client, mut reports) = connect_with(login(&acme_sub)).await.expect("acme logs in");
    let consumer: PullConsumer = jetstream::new(client.clone())
        .get_consumer_from_stream(format!("sub-{acme_name}"), stream.as_str())
        .await
        .expect("acme binds to its consumer");
    let subjects = read_everything(&consumer).await;
    let acme_root = format!("{}.{acme}.", stack.nats.subject_root.as_str());
    assert_eq!(subjects.len(), events_of(&stack, acme).await);
    assert!(
        subjects
            .iter()
            .all(|subject| subject.starts_with(&acme_root)),
        "{subjects:?}"
    );

    // …and nothing of globex's, whichever way it asks.
    let globex_consumer = format!("sub-{globex_name}");
    let root = stack.nats.subject_root.as_str();
    for forbidden in [
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{globex_consumer}"),
        format!("$JS.API.CONSUMER.INFO.{stream}.{globex_consumer}"),
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.sub-{all_name}"),
        format!("$JS.API.CONSUMER.CREATE.{stream}.mine.{root}.{globex}.directory.UserRegistered"),
        format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.mine"),
        format!("$JS.API.CONSUMER.DELETE.{stream}.{globex_consumer}"),
        format!("$JS.API.STREAM.INFO.{stream}"),
        format!("$JS.API.STREAM.MSG.GET.{stream}"),
        format!("$JS.API.DIRECT.GET.{stream}"),
        format!("$JS.API.DIRECT.GET.{stream}.{root}.{globex}.directory.UserRegistered"),
    ] {
        request_refused(&client, &mut reports, forbidden).await;
    }
    let live = format!("{root}.{globex}.>");
    let _live = client.subscribe(live.clone()).await.unwrap();
    client.flush().await.unwrap();
    super::nats_permissions::refused(&mut reports, &live).await;
    publish_refused(
        &client,
        &mut reports,
        format!("{root}.{acme}.directory.Forged"),
    )
    .await;

    // The all-tenants subscription reads both.
    let (all_client, _) = connect_with(login(&all_sub)).await.expect("all logs in");
    let all_consumer: PullConsumer = jetstream::new(all_client)
        .get_consumer_from_stream(format!("sub-{all_name}"), stream.as_str())
        .await
        .unwrap();
    assert_eq!(read_everything(&all_consumer).await.len() as i64, events);

    let (_, listed, _) = stack.subscriptions(&["list"]).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [acme_name.as_str(), all_name.as_str(), globex_name.as_str()]
    );
    let acme_listed = &listed[0];
    assert_eq!(
        acme_listed["pending"], 0,
        "acme read and acknowledged everything"
    );
    assert_eq!(
        listed[2]["pending"].as_u64().unwrap() as usize,
        events_of(&stack, globex).await
    );
    stack.stop().await;
}

#[tokio::test]
async fn only_the_printed_password_logs_in_and_a_removed_subscription_cannot() {
    let stack = Stack::start().await;
    let tenant = a_tenant_with_events(&stack).await.to_string();
    let name = format!("bi-{}", &Uuid::now_v7().simple().to_string()[20..]);
    let created = add(&stack, &[&name, "--tenant", &tenant]).await;

    // The name is taken: a second add fails and changes nothing.
    let (ok, _, errors) = stack.subscriptions(&["add", &name, "--all"]).await;
    assert!(!ok && errors.contains("exists"), "{errors}");
    let (ok, _, errors) = stack.subscriptions(&["add", "Not.A.Name", "--all"]).await;
    assert!(!ok && errors.contains("subscription name"), "{errors}");

    let mut wrong = created.clone();
    wrong["nats"]["password"] = "guessed".into();
    assert!(
        connect_with(login(&wrong)).await.is_err(),
        "a wrong password logs in"
    );
    let (client, _) = connect_with(login(&created))
        .await
        .expect("the printed password logs in");
    client.flush().await.unwrap();

    let (ok, removed, errors) = stack.subscriptions(&["remove", &name]).await;
    assert!(ok, "{errors}");
    assert_eq!(removed["removed"], name.as_str());
    assert!(
        connect_with(login(&created)).await.is_err(),
        "a removed subscription logs in"
    );
    let (ok, _, _) = stack.subscriptions(&["remove", &name]).await;
    assert!(!ok, "removing twice succeeds");
    let (_, listed, _) = stack.subscriptions(&["list"]).await;
    assert_eq!(listed, Value::Array(vec![]));
    stack.stop().await;
}
