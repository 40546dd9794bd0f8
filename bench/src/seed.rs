//! Bulk history: conversations appended straight to the event log (bypassing HTTP, which
//! the command measurement covers), so the read models can be measured at 10 k and
//! 100 k conversations and rebuilt from a million events within the time limit.
//!
//! The events are the ones the command service would write for a real case, sealed
//! the same way (personal fields under the stream's own key), in the teams' tenants,
//! groups and agents, so the queries read them as any other conversation.

use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt;
use sqlx::PgPool;
use uuid::Uuid;

use caselog_eventlog::erasure::seal::{DataKey, needs_sealing, seal};
use caselog_eventlog::{AppendRequest, EventLog, ExpectedVersion, NewEvent, StreamKeys, StreamRef};
use caselog_schemas::events::{
    Channel, CloseReason, ConversationEvent, DirectoryEvent, MessageContent, SenderKind, StartedBy,
    current_schema_version, to_stored,
};
use caselog_schemas::{Actor, EventMetadata, StreamId, StreamType, TenantId, UserId};

use crate::mix::LINES;
use crate::team::Team;

/// Conversations per customer: customers come back.
const CONVERSATIONS_PER_CONTACT: usize = 2;
const CONCURRENT_APPENDS: usize = 64;

/// Appends conversations `from..to` of the seeded history, spread over `teams` (the
/// same range always means the same customers). Returns the events appended and each
/// conversation's team (an index into `teams`) and id.
pub async fn conversations(
    pool: &PgPool,
    log: &EventLog,
    teams: &[Team],
    range: std::ops::Range<usize>,
) -> anyhow::Result<(usize, Vec<(usize, String)>)> {
    let plans: Vec<Plan> = range
        .clone()
        .map(|index| Plan::new(&teams[index % teams.len()], index / teams.len()))
        .collect();
    let ids: Vec<(usize, String)> = range
        .zip(&plans)
        .map(|(index, plan)| (index % teams.len(), plan.conversation.to_string()))
        .collect();
    let streams: Vec<StreamRef> = plans.iter().flat_map(|plan| plan.streams()).collect();
    let keys = Arc::new(create_keys(pool, &streams).await?);

    let progress = caselog_platform::progress::Progress::new(
        "seeding the log",
        "conversations",
        plans.len() as u64,
    );
    let appended = futures::stream::iter(plans)
        .map(|plan| {
            let log = log.clone();
            let keys = keys.clone();
            let progress = &progress;
            async move {
                let appended = plan.append(&log, &keys).await;
                progress.advance(1);
                appended
            }
        })
        .buffer_unordered(CONCURRENT_APPENDS)
        .collect::<Vec<_>>()
        .await;
    progress.finish();
    let mut events = 0;
    for result in appended {
        events += result?;
    }
    Ok((events, ids))
}

/// One long case: a conversation of `entries` events (messages both ways, notes,
/// internal messages), for the PDF export. Returns its id.
pub async fn long_case(
    pool: &PgPool,
    log: &EventLog,
    team: &Team,
    entries: usize,
) -> anyhow::Result<String> {
    let plan = Plan::new(team, usize::MAX / 2);
    let stream = plan.conversation_stream();
    let keys = create_keys(pool, std::slice::from_ref(&stream)).await?;
    let mut events = vec![plan.events().swap_remove(0)];
    // The middle of a case repeats (received, assigned, sent, received, note, internal
    // message, sent), each time with new message ids.
    while events.len() < entries {
        let mut fresh = plan.events();
        events.extend(fresh.drain(1..8).take(entries - events.len()));
    }
    append(log, &keys, stream, &events, plan.agent, "agent").await?;
    Ok(plan.conversation.to_string())
}

/// One conversation to write, with the contact who starts it when it is the contact's first.
struct Plan {
    tenant: TenantId,
    group: Uuid,
    contact: Uuid,
    first_of_contact: bool,
    conversation: Uuid,
    admin: UserId,
    agent: UserId,
    /// 0: still open (two unreplied messages), 1: resolved, 2: closed.
    fate: usize,
    channel: Channel,
}

impl Plan {
    /// The team's `index`th seeded conversation.
    fn new(team: &Team, index: usize) -> Self {
        // Consecutive conversations of a team share a customer.
        let contact_index = index / CONVERSATIONS_PER_CONTACT;
        Self {
            tenant: TenantId(team.tenant),
            group: team.group,
            contact: Uuid::new_v5(
                &team.tenant,
                format!("seed-contact-{contact_index}").as_bytes(),
            ),
            first_of_contact: index.is_multiple_of(CONVERSATIONS_PER_CONTACT),
            conversation: Uuid::now_v7(),
            admin: UserId(team.admin.user),
            agent: UserId(team.agents[index % team.agents.len()].user),
            fate: index % 3,
            channel: [
                Channel::Whatsapp,
                Channel::Sms,
                Channel::Webchat,
                Channel::Email,
            ][index % 4],
        }
    }

    fn conversation_stream(&self) -> StreamRef {
        stream(self.tenant, "conversation", self.conversation)
    }

    fn contact_stream(&self) -> StreamRef {
        stream(self.tenant, "directory", self.contact)
    }

    fn streams(&self) -> Vec<StreamRef> {
        let mut streams = vec![self.conversation_stream()];
        if self.first_of_contact {
            streams.push(self.contact_stream());
        }
        streams
    }

    async fn append(
        self,
        log: &EventLog,
        keys: &std::collections::HashMap<StreamRef, DataKey>,
    ) -> anyhow::Result<usize> {
        let mut appended = 0;
        if self.first_of_contact {
            let name = format!(
                "Seeded customer {}",
                &self.contact.simple().to_string()[..8]
            );
            let contact = DirectoryEvent::ContactUpserted {
                firstname: Some(name.clone()),
                name,
                lastname: None,
                email: Some(format!("{}@example.com", self.contact.simple())),
                phone: None,
                country: Some("PT".into()),
                group_id: Some(self.group),
            };
            appended += append(
                log,
                keys,
                self.contact_stream(),
                &[contact],
                self.admin,
                "admin",
            )
            .await?;
        }
        let events = self.events();
        appended += append(
            log,
            keys,
            self.conversation_stream(),
            &events,
            self.agent,
            "agent",
        )
        .await?;
        Ok(appended)
    }

    fn events(&self) -> Vec<ConversationEvent> {
        let now = Utc::now();
        let text = |i: usize| MessageContent::text(LINES[i % LINES.len()]);
        let received = |i: usize| ConversationEvent::MessageReceived {
            message_id: Uuid::now_v7(),
            channel: self.channel,
            external_id: None,
            content: text(i),
            received_at: now,
        };
        let sent = |i: usize| ConversationEvent::MessageSent {
            message_id: Uuid::now_v7(),
            channel: self.channel,
            sender_kind: SenderKind::Agent,
            author: Some(self.agent),
            content: text(i),
            snippet_id: None,
            sent_at: now,
        };
        let mut events = vec![
            ConversationEvent::ConversationStarted {
                contact_id: self.contact,
                group_id: Some(self.group),
                channel: self.channel,
                started_by: StartedBy::InboundMessage,
                assignees: vec![],
                visible_to: None,
            },
            received(0),
            ConversationEvent::ConversationAssigned {
                assignees: vec![self.agent],
                previous_assignees: vec![],
                automatic: false,
            },
            sent(1),
            received(2),
            ConversationEvent::PrivateNoteAdded {
                note_id: Uuid::now_v7(),
                author: self.agent,
                text: LINES[4].into(),
            },
            ConversationEvent::InternalMessageSent {
                internal_message_id: Uuid::now_v7(),
                from: self.admin,
                to: self.agent,
                text: LINES[4].into(),
                in_reply_to: None,
            },
            sent(3),
        ];
        match self.fate {
            0 => events.extend([received(4), received(5)]),
            1 => events.extend([
                ConversationEvent::TopicSet {
                    topic: "delivery".into(),
                },
                ConversationEvent::ConversationResolved {},
            ]),
            _ => events.extend([
                ConversationEvent::ConversationResolved {},
                ConversationEvent::ConversationClosed {
                    reason: CloseReason::Manual,
                },
            ]),
        }
        events
    }
}

/// Appends a whole conversation (or case) of `count` events to one stream, in one
/// append, as the seeder does for the PDF export's long case.
pub async fn append<E: serde::Serialize>(
    log: &EventLog,
    keys: &std::collections::HashMap<StreamRef, DataKey>,
    stream: StreamRef,
    events: &[E],
    actor: UserId,
    role: &str,
) -> anyhow::Result<usize> {
    let stored: Vec<NewEvent> = events
        .iter()
        .map(|event| {
            let (event_type, mut payload) = to_stored(event);
            if needs_sealing(&stream, &event_type) {
                seal(&keys[&stream], &stream, &event_type, &mut payload);
            }
            NewEvent {
                schema_version: current_schema_version(stream.stream_type.as_str(), &event_type),
                event_type,
                payload,
            }
        })
        .collect();
    let count = stored.len();
    log.append(AppendRequest {
        stream,
        expected_version: ExpectedVersion::Any,
        events: stored,
        metadata: EventMetadata::for_new_command(Actor {
            user_id: Some(actor),
            role: role.to_owned(),
        }),
        idempotency_key: None,
        request_fingerprint: None,
        erases_stream: false,
    })
    .await?;
    Ok(count)
}

pub fn stream(tenant: TenantId, stream_type: &str, id: Uuid) -> StreamRef {
    StreamRef {
        tenant_id: tenant,
        stream_type: StreamType::new(stream_type).expect("a valid stream type"),
        stream_id: StreamId(id),
    }
}

/// A key for each stream, stored wrapped (the keyring the local stack's services use).
pub async fn create_keys(
    pool: &PgPool,
    streams: &[StreamRef],
) -> anyhow::Result<std::collections::HashMap<StreamRef, DataKey>> {
    caselog_testkit::install_keyring();
    Ok(StreamKeys::new(pool.clone()).create_many(streams).await?)
}
