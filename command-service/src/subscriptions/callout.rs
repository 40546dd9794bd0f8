//! The NATS auth callout: the nats-server publishes every login it cannot decide itself
//! (any user but the services' own, `auth_users` in its configuration) on
//! `$SYS.REQ.USER.AUTH`, and this answers for the subscriptions' users with a user JWT
//! allowing their consumer only.
//!
//! A login of a `sub-` user this database does not know gets no answer at all, so that
//! several deployments may share one nats-server (the server refuses when no callout has
//! answered within its auth timeout). Every other login is refused at once.

use std::sync::Arc;
use std::time::Duration;

use async_nats::{Client, Message};
use futures::StreamExt;
use nkeys::KeyPair;
use tokio_util::sync::CancellationToken;

use super::nats_jwt::{self, AuthorizationRequest, RequestBody};
use super::{SubscriptionName, SubscriptionStore};

/// The subject nats-server sends authorization requests on.
pub const AUTH_SUBJECT: &str = "$SYS.REQ.USER.AUTH";

/// How long an admitted connection's authorization lasts: the server disconnects it
/// then, and the client's reconnection asks again, so a removed subscription's
/// connections end within this time.
const AUTHORIZATION_LIFETIME: Duration = Duration::from_secs(600);

/// Requests answered at once.
const CONCURRENCY: usize = 16;

#[derive(Clone)]
pub struct Callout {
    store: SubscriptionStore,
    issuer: Arc<KeyPair>,
    /// The account the users are placed in, and the stream their consumers read.
    account: String,
    stream: String,
}

impl Callout {
    pub fn new(store: SubscriptionStore, issuer: KeyPair, account: String, stream: String) -> Self {
        Self {
            store,
            issuer: Arc::new(issuer),
            account,
            stream,
        }
    }

    /// Answers authorization requests on `client` (logged in as the callout's user)
    /// until `shutdown`.
    pub async fn run(self, client: Client, shutdown: CancellationToken) {
        let requests = match client.subscribe(AUTH_SUBJECT).await {
            Ok(requests) => requests,
            Err(error) => {
                tracing::error!(%error, "the NATS auth callout cannot subscribe: subscriptions cannot log in");
                return;
            }
        };
        tracing::info!(account = %self.account, "answering NATS logins of subscriptions");
        let answering = requests.for_each_concurrent(CONCURRENCY, |request| {
            let client = client.clone();
            let callout = self.clone();
            async move { callout.answer(&client, request).await }
        });
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = answering => {}
        }
    }

    async fn answer(&self, client: &Client, message: Message) {
        let Some(reply) = message.reply else { return };
        let request = std::str::from_utf8(&message.payload)
            .map_err(|_| "not UTF-8".to_owned())
            .and_then(nats_jwt::claims::<AuthorizationRequest>);
        let request = match request {
            Ok(request) => request.nats,
            Err(error) => {
                tracing::warn!(%error, "an unreadable NATS authorization request");
                return;
            }
        };
        let Some(outcome) = self.decide(&request).await else {
            return;
        };
        let label = if outcome.is_ok() {
            "admitted"
        } else {
            "refused"
        };
        metrics::counter!("caselog_subscription_logins_total", "outcome" => label).increment(1);
        if let Err(error) = &outcome {
            tracing::info!(user = %request.connect_opts.user, %error, "NATS login refused");
        }
        match nats_jwt::response(&request, outcome, &self.issuer) {
            Ok(token) => {
                if let Err(error) = client.publish(reply, token.into()).await {
                    tracing::warn!(%error, "answering a NATS authorization request");
                }
            }
            Err(error) => tracing::error!(%error, "signing a NATS authorization response"),
        }
    }

    /// The user JWT for the login, its refusal, or `None`: not this deployment's to
    /// answer (or its database is unreachable: the server refuses, the client retries).
    async fn decide(&self, request: &RequestBody) -> Option<Result<String, String>> {
        let login = &request.connect_opts;
        let Some(name) = SubscriptionName::of_nats_user(&login.user) else {
            return Some(Err("unknown user".to_owned()));
        };
        match self.store.check_password(&name, &login.pass).await {
            Ok(None) => None,
            Ok(Some(false)) => Some(Err("wrong password".to_owned())),
            Ok(Some(true)) => {
                let expires_at = chrono::Utc::now().timestamp()
                    + i64::try_from(AUTHORIZATION_LIFETIME.as_secs()).unwrap_or(600);
                Some(nats_jwt::user(
                    request,
                    &self.account,
                    &name.nats_user(),
                    &name.permissions(&self.stream),
                    expires_at,
                    &self.issuer,
                ))
            }
            Err(error) => {
                tracing::warn!(%error, "the NATS auth callout cannot read subscriptions");
                None
            }
        }
    }
}
