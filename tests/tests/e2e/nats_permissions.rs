//! The NATS users of `deploy/nats/dev.conf` (the local stack and every test run under
//! it): each may do its job and nothing else. The server itself refuses the rest with a
//! permissions violation, and the stream and its consumers survive every attempt.

use std::time::Duration;

use async_nats::jetstream::{self, consumer::PullConsumer};
use async_nats::{Client, Event};
use futures::StreamExt;
use tokio::sync::mpsc;

use caselog_platform::settings::LocalNatsUser;
use caselog_testkit::jetstream::TestNats;

/// A client as `user`, with the server's error reports (permission violations) in a channel.
async fn connect_as(user: LocalNatsUser) -> (Client, mpsc::UnboundedReceiver<String>) {
    connect_with(caselog_testkit::nats_login(user))
        .await
        .expect("the user may connect")
}

/// A client with `options`, with the server's error reports in a channel.
pub(super) async fn connect_with(
    options: async_nats::ConnectOptions,
) -> Result<(Client, mpsc::UnboundedReceiver<String>), async_nats::ConnectError> {
    let (reports, received) = mpsc::unbounded_channel();
    let client = options
        .event_callback(move |event| {
            let reports = reports.clone();
            async move {
                if let Event::ServerError(error) = event {
                    let _ = reports.send(error.to_string());
                }
            }
        })
        .connect(caselog_testkit::nats_url())
        .await?;
    Ok((client, received))
}

/// Asserts the server reported a permissions violation naming `subject`.
pub(super) async fn refused(reports: &mut mpsc::UnboundedReceiver<String>, subject: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let report = tokio::time::timeout_at(deadline, reports.recv())
            .await
            .unwrap_or_else(|_| panic!("no permissions violation reported for {subject}"))
            .expect("the connection is open");
        if report.contains("Permissions Violation") && report.contains(subject) {
            return;
        }
    }
}

/// Sends a JetStream API request (or any request) that must be refused.
pub(super) async fn request_refused(
    client: &Client,
    reports: &mut mpsc::UnboundedReceiver<String>,
    subject: String,
) {
    // A refused request is never answered; the violation report is the evidence.
    let answer = tokio::time::timeout(
        Duration::from_millis(200),
        client.request(subject.clone(), "{}".into()),
    )
    .await;
    assert!(
        !matches!(answer, Ok(Ok(_))),
        "{subject} was answered: {answer:?}"
    );
    refused(reports, &subject).await;
}

pub(super) async fn publish_refused(
    client: &Client,
    reports: &mut mpsc::UnboundedReceiver<String>,
    subject: String,
) {
    client.publish(subject.clone(), "x".into()).await.unwrap();
    client.flush().await.unwrap();
    refused(reports, &subject).await;
}

/// Everything that would change the stream or its consumers, for `stream`.
fn administration(stream: &str) -> Vec<String> {
    vec![
        "$JS.API.STREAM.CREATE.EVIL".to_owned(),
        format!("$JS.API.STREAM.UPDATE.{stream}"),
        format!("$JS.API.STREAM.PURGE.{stream}"),
        format!("$JS.API.STREAM.DELETE.{stream}"),
        format!("$JS.API.STREAM.MSG.DELETE.{stream}"),
        format!("$JS.API.CONSUMER.CREATE.{stream}.evil"),
        format!("$JS.API.CONSUMER.DURABLE.CREATE.{stream}.evil"),
        format!("$JS.API.CONSUMER.DELETE.{stream}.analytics"),
        "$JS.API.ACCOUNT.PURGE.CASELOG".to_owned(),
    ]
}

pub(super) async fn fetch(consumer: &PullConsumer) -> usize {
    consumer
        .fetch()
        .max_messages(10)
        .expires(Duration::from_millis(500))
        .messages()
        .await
        .expect("a fetch")
        .count()
        .await
}

#[tokio::test]
async fn each_nats_user_may_do_its_job_and_is_refused_everything_else() {
    let nats = TestNats::connect().await;
    let stream = nats.stream_name.clone();
    let subject = format!(
        "{}.tenant.conversation.TopicSet",
        nats.subject_root.as_str()
    );

    // The relay publishes into the stream, with JetStream's acknowledgement…
    let (relay, mut relay_reports) = connect_as(LocalNatsUser::RELAY).await;
    let ack = jetstream::new(relay.clone())
        .publish(subject.clone(), "event".into())
        .await
        .expect("the relay may publish")
        .await
        .expect("JetStream acknowledges");
    assert_eq!(ack.stream, stream);
    // …and nothing else.
    for forbidden in administration(&stream) {
        request_refused(&relay, &mut relay_reports, forbidden).await;
    }
    publish_refused(&relay, &mut relay_reports, "billing.invoices".to_owned()).await;
    request_refused(
        &relay,
        &mut relay_reports,
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.analytics"),
    )
    .await;

    // Projectors pull from their own consumers only.
    let (projection, mut projection_reports) = connect_as(LocalNatsUser::PROJECTION).await;
    let projection_js = jetstream::new(projection.clone());
    let projections: PullConsumer = projection_js
        .get_consumer_from_stream("projections", stream.as_str())
        .await
        .expect("the projector binds to its consumer");
    assert_eq!(
        fetch(&projections).await,
        1,
        "the projector reads the event"
    );
    for forbidden in administration(&stream) {
        request_refused(&projection, &mut projection_reports, forbidden).await;
    }
    publish_refused(&projection, &mut projection_reports, subject.clone()).await;
    request_refused(
        &projection,
        &mut projection_reports,
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.analytics"),
    )
    .await;

    // Analytics reads through its consumer, and may neither publish nor administer.
    let (analytics, mut analytics_reports) = connect_as(LocalNatsUser::ANALYTICS).await;
    let analytics_consumer: PullConsumer = jetstream::new(analytics.clone())
        .get_consumer_from_stream("analytics", stream.as_str())
        .await
        .expect("analytics binds to its consumer");
    assert_eq!(
        fetch(&analytics_consumer).await,
        1,
        "analytics reads the event"
    );
    for forbidden in administration(&stream) {
        request_refused(&analytics, &mut analytics_reports, forbidden).await;
    }
    publish_refused(&analytics, &mut analytics_reports, subject.clone()).await;
    request_refused(
        &analytics,
        &mut analytics_reports,
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.projections"),
    )
    .await;
    request_refused(
        &analytics,
        &mut analytics_reports,
        format!("$JS.API.STREAM.INFO.{stream}"),
    )
    .await;

    // The query service's user reads single messages (a signed checkpoint), nothing more.
    let (query, mut query_reports) = connect_as(LocalNatsUser::QUERY).await;
    publish_refused(&query, &mut query_reports, subject.clone()).await;
    request_refused(
        &query,
        &mut query_reports,
        format!("$JS.API.STREAM.INFO.{stream}"),
    )
    .await;
    request_refused(
        &query,
        &mut query_reports,
        format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.analytics"),
    )
    .await;

    // After all of it, the stream still holds its message and every consumer.
    let mut info = nats.jetstream.get_stream(&stream).await.unwrap();
    let info = info.info().await.unwrap();
    assert_eq!(info.state.messages, 1);
    assert_eq!(
        info.state.consumer_count,
        caselog_read_model::durable_consumers().len()
    );
}

/// Replies are private: each user may subscribe to its own inbox prefix only, so no
/// user can read the answers the server or a service sends another.
#[tokio::test]
async fn no_nats_user_can_read_another_users_replies() {
    let users = [
        LocalNatsUser::RELAY,
        LocalNatsUser::PROJECTION,
        LocalNatsUser::ANALYTICS,
    ];
    for user in users {
        let (client, mut reports) = connect_as(user).await;
        let own = format!("{}.>", caselog_platform::settings::inbox_prefix(user.0));
        let mut others: Vec<String> = users
            .iter()
            .filter(|other| other.0 != user.0)
            .map(|other| format!("{}.>", caselog_platform::settings::inbox_prefix(other.0)))
            .collect();
        others.push("_INBOX.>".to_owned());
        others.push("_INBOX_provisioner.>".to_owned());
        for subject in &others {
            let _subscription = client.subscribe(subject.clone()).await.unwrap();
            client.flush().await.unwrap();
            refused(&mut reports, subject).await;
        }
        // Its own inbox is allowed: a request to the server is answered there.
        let _own = client.subscribe(own).await.unwrap();
        client.flush().await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(300), reports.recv())
                .await
                .is_err(),
            "{} was refused its own inbox",
            user.0
        );
    }
}
