//! `command-service subscriptions …`: the operator's commands. They run as the
//! provisioner NATS user (the consumers) against the service's database (the users).

use async_nats::jetstream;
use serde_json::{Value, json};
use uuid::Uuid;

use caselog_platform::connect;
use caselog_platform::settings::LocalNatsUser;
use caselog_schemas::{SubjectRoot, TenantId};

use super::{Scope, SubscriptionName, SubscriptionStore, create_consumer, delete_consumer};
use crate::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum SubscriptionsCommand {
    /// Make a subscription: a durable consumer of one tenant's events (or every
    /// tenant's) and a NATS user that may read through it only. Prints its credentials
    /// as JSON; the password is shown this once.
    Add {
        name: SubscriptionName,
        /// The tenant whose events it reads.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        tenant: Option<Uuid>,
        /// Every tenant's events (the platform's own analytics).
        #[arg(long)]
        all: bool,
    },
    /// Delete a subscription's consumer and user. Its open connections can read nothing
    /// more, and end within ten minutes.
    Remove { name: SubscriptionName },
    /// The subscriptions, with how far each consumer has been read.
    List,
}

/// Runs `command`, returning what to print.
pub async fn run(settings: &Settings, command: SubscriptionsCommand) -> anyhow::Result<Value> {
    settings.common.check_nats_user()?;
    if settings
        .callout
        .credentials(settings.common.environment)?
        .is_none()
    {
        anyhow::bail!(
            "CASELOG_NATS_CALLOUT_SEED is not set: the command service would not admit the \
             subscription's user (README \"Subscribing to caselog events\")"
        );
    }
    let pool = connect::postgres(&settings.common.database_url, "caselog-subscriptions", 2).await?;
    let store = SubscriptionStore::new(pool);
    let client = connect::nats(
        &settings.common,
        "caselog-subscriptions",
        LocalNatsUser::PROVISIONER,
    )
    .await?;
    let jetstream = jetstream::new(client);
    let stream = settings.common.stream_name.as_str();
    match command {
        SubscriptionsCommand::Add { name, tenant, all } => {
            let scope = match (tenant, all) {
                (Some(tenant), false) => Scope::Tenant(TenantId(tenant)),
                _ => Scope::AllTenants,
            };
            add(settings, &store, &jetstream, name, scope).await
        }
        SubscriptionsCommand::Remove { name } => {
            let had_consumer = delete_consumer(&jetstream, stream, &name).await?;
            let had_user = store.remove(&name).await?;
            anyhow::ensure!(had_consumer || had_user, "there is no subscription {name}");
            Ok(json!({ "removed": name }))
        }
        SubscriptionsCommand::List => list(&store, &jetstream, stream).await,
    }
}

async fn add(
    settings: &Settings,
    store: &SubscriptionStore,
    jetstream: &jetstream::Context,
    name: SubscriptionName,
    scope: Scope,
) -> anyhow::Result<Value> {
    let stream = settings.common.stream_name.as_str();
    let filter_subject =
        scope.filter_subject(&SubjectRoot::new(settings.common.subject_root.clone()));
    let created = store.add(&name, scope).await?.ok_or_else(|| {
        anyhow::anyhow!("a subscription {name} exists: remove it first, or choose another name")
    })?;
    if let Err(error) = create_consumer(jetstream, stream, &name, filter_subject.clone()).await {
        store.remove(&name).await?;
        return Err(error.context(format!("creating the consumer of subscription {name}")));
    }
    let user = name.nats_user();
    Ok(json!({
        "name": name,
        "tenant": created.subscription.tenant,
        "created_at": created.subscription.created_at,
        "nats": {
            "url": settings.common.nats_url,
            "user": user,
            "password": created.password,
            "inbox_prefix": caselog_platform::settings::inbox_prefix(&user),
            "stream": stream,
            "consumer": user,
            "filter_subject": filter_subject,
        },
    }))
}

async fn list(
    store: &SubscriptionStore,
    jetstream: &jetstream::Context,
    stream: &str,
) -> anyhow::Result<Value> {
    let stream = jetstream.get_stream(stream).await?;
    let mut listed = Vec::new();
    for subscription in store.list().await? {
        let consumer = subscription.name.nats_user();
        let info = stream.consumer_info(&consumer).await.ok();
        listed.push(json!({
            "name": subscription.name,
            "tenant": subscription.tenant,
            "created_at": subscription.created_at,
            "consumer": consumer,
            "consumer_exists": info.is_some(),
            "pending": info.as_ref().map(|info| info.num_pending),
            "acknowledged_up_to": info.as_ref().map(|info| info.ack_floor.stream_sequence),
        }));
    }
    Ok(Value::Array(listed))
}
