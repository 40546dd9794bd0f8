//! The read models: what each is called, where it lives, what feeds it.

use caselog_eventlog::relay::{ANALYTICS_CONSUMER, DurableConsumer, WEBHOOKS_CONSUMER};

/// One read model and the projection that builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Projection {
    /// The team and personal inboxes, counts and the dashboard.
    Inbox,
    /// Each conversation's case file (timeline and header) and who may see it.
    History,
    /// Internal messages per conversation and recipient.
    InternalMessages,
    /// Users, groups, contacts, snippets, settings.
    Directory,
    /// The internal chat: channels, members, messages, the bell.
    Chat,
}

impl Projection {
    pub const ALL: [Projection; 5] = [
        Projection::Inbox,
        Projection::History,
        Projection::InternalMessages,
        Projection::Directory,
        Projection::Chat,
    ];

    /// The name operators and the routes use (`rebuild inbox`, `/v1/projections`).
    pub fn name(self) -> &'static str {
        match self {
            Projection::Inbox => "inbox",
            Projection::History => "history",
            Projection::InternalMessages => "internal_messages",
            Projection::Directory => "directory",
            Projection::Chat => "chat",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its place in [`Self::ALL`], for tables indexed by projection.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The schema holding the live read model.
    pub fn schema(self) -> &'static str {
        match self {
            Projection::Inbox => "rm_inbox",
            Projection::History => "rm_history",
            Projection::InternalMessages => "rm_internal_messages",
            Projection::Directory => "rm_directory",
            Projection::Chat => "rm_chat",
        }
    }

    /// Serialises every writer of this projection (live runners and a rebuild's swap):
    /// a transaction-scoped advisory lock.
    pub fn writer_lock_key(self) -> i64 {
        0x7072_6f6a_0000_0000 + self as i64
    }
}

/// The durable JetStream consumer the projection service reads through: one for every
/// projection, so each event is delivered, decoded and acknowledged once (the NATS
/// users' permissions name it: part of the contract).
pub const PROJECTIONS_CONSUMER: DurableConsumer = DurableConsumer::projection("projections");

/// Consumers earlier versions made, one per projection; `provision-nats` deletes them.
pub const RETIRED_CONSUMERS: [&str; 5] = [
    "projection-inbox",
    "projection-history",
    "projection-internal-messages",
    "projection-directory",
    "projection-chat",
];

/// Which instance of the projection service applies the projections: a session
/// advisory lock its owner holds while it runs.
pub const OWNER_LOCK_KEY: i64 = 0x6f77_6e72_0000_0000;

/// Every durable consumer of the stream `provision-nats` makes: the projections'
/// (acknowledging the last of each batch, as they apply in order), the analytics
/// consumer and the webhook dispatcher's. Subscriptions make their own.
pub fn durable_consumers() -> Vec<DurableConsumer> {
    vec![PROJECTIONS_CONSUMER, ANALYTICS_CONSUMER, WEBHOOKS_CONSUMER]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_schemas_consumers_and_keys_are_distinct() {
        let distinct = |values: Vec<String>| {
            let mut sorted = values.clone();
            sorted.sort();
            sorted.dedup();
            sorted.len() == values.len()
        };
        let all = Projection::ALL;
        assert!(distinct(all.iter().map(|p| p.name().to_owned()).collect()));
        assert!(distinct(
            all.iter().map(|p| p.schema().to_owned()).collect()
        ));
        assert!(distinct(
            durable_consumers()
                .iter()
                .map(|c| c.name)
                .chain(RETIRED_CONSUMERS)
                .map(str::to_owned)
                .collect()
        ));
        assert!(distinct(
            all.iter()
                .map(|p| p.writer_lock_key())
                .chain([OWNER_LOCK_KEY])
                .map(|key| key.to_string())
                .collect()
        ));
        for projection in all {
            assert_eq!(Projection::from_name(projection.name()), Some(projection));
            assert_eq!(all[projection.index()], projection);
            assert_eq!(projection.schema(), format!("rm_{}", projection.name()));
        }
    }
}
