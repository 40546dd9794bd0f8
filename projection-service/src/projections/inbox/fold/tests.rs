use chrono::{Duration, TimeZone};

use caselog_schemas::events::{Channel, MessageContent, SenderKind, StartedBy, to_stored};
use caselog_schemas::{
    Actor, EventId, EventMetadata, Position, StreamId, StreamType, StreamVersion, TenantId, UserId,
};

use super::row::SEARCH_TEXT_LIMIT;
use super::*;

struct Case {
    tenant: TenantId,
    conversation: StreamId,
    position: i64,
    start: DateTime<Utc>,
}

impl Case {
    fn new() -> Self {
        Self {
            tenant: TenantId::new_v7(),
            conversation: StreamId::new_v7(),
            position: 0,
            start: Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap(),
        }
    }

    fn key(&self) -> ConversationKey {
        (self.tenant.0, self.conversation.0)
    }

    /// The next event of the case, `seconds` after its start.
    fn event(&mut self, event: &E, seconds: i64) -> EventEnvelope {
        self.position += 1;
        let (event_type, payload) = to_stored(event);
        EventEnvelope {
            position: Position(self.position),
            event_id: EventId::new_v7(),
            tenant_id: self.tenant,
            stream_type: StreamType::new("conversation").unwrap(),
            stream_id: self.conversation,
            stream_version: StreamVersion(self.position),
            event_type,
            schema_version: 1,
            payload,
            metadata: EventMetadata::for_new_command(Actor::system()),
            recorded_at: self.start + Duration::seconds(seconds),
            previous_hash: "00".repeat(32),
            hash: "00".repeat(32),
            tenant_hash: "00".repeat(32),
            log_hash: "00".repeat(32),
        }
    }

    fn fold(&mut self, changes: &mut InboxChanges, event: E, seconds: i64) {
        let envelope = self.event(&event, seconds);
        changes.conversation(&envelope, &event);
    }
}

fn started() -> E {
    E::ConversationStarted {
        contact_id: Uuid::now_v7(),
        group_id: None,
        channel: Channel::Whatsapp,
        started_by: StartedBy::InboundMessage,
        assignees: vec![],
        visible_to: None,
    }
}

fn received(text: &str) -> E {
    E::MessageReceived {
        message_id: Uuid::now_v7(),
        channel: Channel::Whatsapp,
        external_id: None,
        content: MessageContent::text(text),
        received_at: Utc::now(),
    }
}

fn sent(kind: SenderKind, author: Option<UserId>, channel: Channel) -> E {
    E::MessageSent {
        message_id: Uuid::now_v7(),
        channel,
        sender_kind: kind,
        author,
        content: MessageContent::text("On its way"),
        snippet_id: None,
        sent_at: Utc::now(),
    }
}

fn row(changes: &InboxChanges, key: ConversationKey) -> ConversationRow {
    changes
        .changed_rows()
        .into_iter()
        .find(|row| (row.tenant_id, row.conversation_id) == key)
        .cloned()
        .expect("the row is written")
}

#[test]
fn a_human_reply_answers_the_customer_and_marks_what_came_before_as_read() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    let agent = UserId::new_v7();
    case.fold(&mut changes, started(), 0);
    case.fold(&mut changes, received("Où est ma COMMANDE ?"), 10);
    case.fold(&mut changes, received("Hello?"), 20);
    case.fold(
        &mut changes,
        sent(SenderKind::Bot, None, Channel::Whatsapp),
        25,
    );
    let after_bot = row(&changes, case.key());
    assert_eq!(after_bot.unreplied_count, 2, "a bot does not answer");
    assert_eq!(
        after_bot.waiting_since,
        Some(case.start + Duration::seconds(10)),
        "waiting since the first unanswered message"
    );
    assert_eq!(after_bot.first_response_seconds, None);

    case.fold(
        &mut changes,
        sent(SenderKind::Agent, Some(agent), Channel::Email),
        71,
    );
    let after_agent = row(&changes, case.key());
    assert_eq!(after_agent.unreplied_count, 0);
    assert_eq!(after_agent.waiting_since, None);
    assert_eq!(after_agent.first_response_seconds, Some(61));
    assert_eq!(after_agent.message_count, 4);
    assert_eq!(after_agent.channels, ["whatsapp", "email"]);
    assert_eq!(after_agent.last_inbound_position, 3);
    assert_eq!(after_agent.last_activity_position, 5);
    assert!(after_agent.search_text.contains("où est ma commande ?"));
    let reads: Vec<_> = changes.reads().collect();
    assert_eq!(reads, [(&(case.key(), agent.0), &5)]);
}

#[test]
fn events_of_a_conversation_without_a_row_change_nothing() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    case.fold(&mut changes, received("hi"), 1);
    case.fold(&mut changes, E::ConversationResolved {}, 2);
    assert!(changes.changed_rows().is_empty());
}

#[test]
fn a_second_start_keeps_the_first() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    case.fold(&mut changes, started(), 0);
    case.fold(&mut changes, received("hi"), 1);
    case.fold(&mut changes, started(), 2);
    let row = row(&changes, case.key());
    assert_eq!(row.message_count, 1);
    assert_eq!(row.last_activity_position, 2);
}

#[test]
fn status_changes_set_and_clear_the_close_time() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    case.fold(&mut changes, started(), 0);
    case.fold(
        &mut changes,
        E::ConversationClosed {
            reason: caselog_schemas::events::CloseReason::Manual,
        },
        30,
    );
    assert_eq!(
        row(&changes, case.key()).closed_at,
        Some(case.start + Duration::seconds(30))
    );
    case.fold(&mut changes, E::ConversationReopened {}, 40);
    let reopened = row(&changes, case.key());
    assert_eq!(
        (reopened.status, reopened.closed_at),
        (ConversationStatus::Open, None)
    );
}

#[test]
fn a_deleted_conversation_leaves_with_its_read_marks() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    let agent = UserId::new_v7();
    case.fold(&mut changes, started(), 0);
    case.fold(
        &mut changes,
        E::ConversationRead {
            user: agent,
            up_to_message_id: None,
        },
        1,
    );
    case.fold(&mut changes, E::ConversationDeleted {}, 2);
    case.fold(&mut changes, received("still there?"), 3);
    assert!(changes.changed_rows().is_empty());
    assert_eq!(changes.reads().count(), 0);
    assert_eq!(changes.deleted().collect::<Vec<_>>(), [&case.key()]);
}

#[test]
fn search_text_stays_bounded() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    case.fold(&mut changes, started(), 0);
    let long = "é".repeat(SEARCH_TEXT_LIMIT);
    case.fold(&mut changes, received(&long), 1);
    case.fold(&mut changes, received("more"), 2);
    let text = row(&changes, case.key()).search_text;
    assert_eq!(text.chars().count(), SEARCH_TEXT_LIMIT);
    assert!(!text.contains("more"));
}

#[test]
fn acceptance_is_kept_until_the_user_rejects_or_leaves() {
    let mut case = Case::new();
    let mut changes = InboxChanges::new([case.key()], vec![]);
    let (ana, bruno) = (UserId::new_v7(), UserId::new_v7());
    case.fold(&mut changes, started(), 0);
    case.fold(&mut changes, E::ConversationAccepted { user: ana }, 1);
    case.fold(&mut changes, E::ConversationAccepted { user: bruno }, 2);
    case.fold(&mut changes, E::ConversationAccepted { user: ana }, 3);
    assert_eq!(row(&changes, case.key()).accepted_by, [ana.0, bruno.0]);
    case.fold(&mut changes, E::ConversationLeft { user: ana }, 4);
    case.fold(&mut changes, E::ConversationRejected { user: bruno }, 5);
    assert!(row(&changes, case.key()).accepted_by.is_empty());
}
