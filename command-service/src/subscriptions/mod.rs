//! Subscriptions integrators own (README "Subscribing to caselog events"): a durable
//! JetStream consumer filtered to one tenant's events (or every tenant's), and a NATS
//! user allowed to read through that consumer and nothing else.
//!
//! The users live in Postgres, not in the nats-server's configuration: the server asks
//! the command service about every login it does not know itself (NATS auth callout,
//! [`callout`]), so adding or removing a subscription restarts nothing.

pub mod callout;
mod consumer;
mod nats_jwt;
pub mod operator;
mod store;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use caselog_schemas::{SubjectRoot, TenantId};

pub use consumer::{create_consumer, delete_consumer};
pub use nats_jwt::Permissions;
pub use store::{NewSubscription, SubscriptionStore};

/// A subscription's name: 1–48 of `a-z`, `0-9`, `-` and `_`, starting with a letter or
/// digit. It names the consumer and the user (`sub-<name>`), so it must be a valid
/// JetStream consumer name and subject token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::Type)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct SubscriptionName(String);

impl FromStr for SubscriptionName {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        let starts_well = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if (1..=48).contains(&name.len()) && starts_well && name.chars().all(allowed) {
            Ok(Self(name.to_owned()))
        } else {
            Err(format!(
                "{name:?}: a subscription name is 1 to 48 of a-z, 0-9, '-' and '_', starting \
                 with a letter or digit"
            ))
        }
    }
}

impl fmt::Display for SubscriptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Whose events a subscription reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Tenant(TenantId),
    AllTenants,
}

impl Scope {
    /// The subjects its consumer delivers.
    pub fn filter_subject(self, subjects: &SubjectRoot) -> String {
        match self {
            Self::Tenant(tenant) => subjects.tenant_wildcard(tenant),
            Self::AllTenants => subjects.wildcard(),
        }
    }

    fn tenant(self) -> Option<TenantId> {
        match self {
            Self::Tenant(tenant) => Some(tenant),
            Self::AllTenants => None,
        }
    }
}

/// A subscription as the operator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub name: SubscriptionName,
    /// `null`: every tenant.
    pub tenant: Option<TenantId>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl SubscriptionName {
    /// The NATS user, which is also the durable consumer's name.
    pub fn nats_user(&self) -> String {
        format!("{USER_PREFIX}{}", self.0)
    }

    /// The subscription a NATS user name belongs to, if it is one of theirs.
    pub fn of_nats_user(user: &str) -> Option<Self> {
        user.strip_prefix(USER_PREFIX)?.parse().ok()
    }

    /// What its user may do on `stream`: read through its consumer, acknowledge, and
    /// receive replies on its own inbox prefix. No stream or account API, no other
    /// consumer, no publishing into the stream.
    pub fn permissions(&self, stream: &str) -> Permissions {
        let consumer = self.nats_user();
        Permissions {
            publish: vec![
                format!("$JS.API.CONSUMER.INFO.{stream}.{consumer}"),
                format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"),
                format!("$JS.ACK.{stream}.{consumer}.>"),
            ],
            subscribe: vec![format!(
                "{}.>",
                caselog_platform::settings::inbox_prefix(&consumer)
            )],
        }
    }
}

/// Every subscription's NATS user starts with this, which no service user does.
const USER_PREFIX: &str = "sub-";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_consumer_names_and_subject_tokens() {
        for good in ["acme", "acme-bi_2", "0day"] {
            assert!(good.parse::<SubscriptionName>().is_ok(), "{good}");
        }
        let too_long = "a".repeat(49);
        for bad in [
            "", "-acme", "Acme", "acme.bi", "acme*", "acme>", "a b", &too_long,
        ] {
            assert!(bad.parse::<SubscriptionName>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_user_name_maps_back_to_its_subscription_only_with_the_prefix() {
        let name: SubscriptionName = "acme".parse().unwrap();
        assert_eq!(name.nats_user(), "sub-acme");
        assert_eq!(SubscriptionName::of_nats_user("sub-acme"), Some(name));
        assert_eq!(SubscriptionName::of_nats_user("relay"), None);
        assert_eq!(SubscriptionName::of_nats_user("sub-"), None);
        assert_eq!(SubscriptionName::of_nats_user("sub-a.b"), None);
    }

    #[test]
    fn a_tenant_scope_filters_to_that_tenant_and_the_user_reads_only_its_consumer() {
        let tenant = TenantId::new_v7();
        let root = SubjectRoot::new("caselog.v1");
        assert_eq!(
            Scope::Tenant(tenant).filter_subject(&root),
            format!("caselog.v1.{tenant}.>")
        );
        assert_eq!(Scope::AllTenants.filter_subject(&root), "caselog.v1.>");
        let permissions = "acme"
            .parse::<SubscriptionName>()
            .unwrap()
            .permissions("CASELOG");
        assert_eq!(
            permissions.publish,
            [
                "$JS.API.CONSUMER.INFO.CASELOG.sub-acme",
                "$JS.API.CONSUMER.MSG.NEXT.CASELOG.sub-acme",
                "$JS.ACK.CASELOG.sub-acme.>",
            ]
        );
        assert_eq!(permissions.subscribe, ["_INBOX_sub-acme.>"]);
    }
}
