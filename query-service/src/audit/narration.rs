//! Every timeline entry in words (README "For auditors"): who did it, named as the
//! directory had them then, and what happened, as a sentence — never JSON. The history
//! route's `actor_name` and `text` and the PDF's lines are both this.

use uuid::Uuid;

use caselog_read_model::case_file::TimelineEntry;
use caselog_schemas::UserId;
use caselog_schemas::events::{
    CloseReason, ConversationEvent as E, MessageContent, SenderKind, StartedBy, from_stored,
};

use super::people::People;

/// One entry told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrated {
    /// Who did it: a person's name, or what did it (`caselog` for the system).
    pub actor_name: String,
    /// The sentence.
    pub text: String,
    /// What only the team sees (who it was assigned to, who may see it), left out of
    /// a customer's transcript.
    pub team_detail: Option<String>,
}

impl Narrated {
    /// The sentence with the team's detail: what the history and the audit record say.
    pub fn full(&self) -> String {
        match &self.team_detail {
            Some(detail) => format!("{} {detail}", self.text),
            None => self.text.clone(),
        }
    }
}

/// The words for `entry`, naming people as they were at its position. `contact_id` is
/// the case's contact, who speaks in received messages.
pub fn narrate(entry: &TimelineEntry, people: &People, contact_id: Option<Uuid>) -> Narrated {
    let position = entry.position;
    let name = |user: Uuid| people.name(user, position);
    let role = entry.actor["role"].as_str().unwrap_or_default();
    let actor_name = match entry.actor["user_id"].as_str().map(Uuid::parse_str) {
        Some(Ok(user)) => people.name_as(user, position, role),
        _ => "caselog".to_owned(),
    };
    let contact = contact_id.map_or_else(|| "The contact".to_owned(), name);
    let event_type = event_type_of(&entry.kind);
    let decoded = from_stored::<E>(&event_type, &entry.data);
    let (text, team_detail) = match &decoded {
        Ok(E::ConversationStarted {
            assignees,
            visible_to,
            ..
        }) => {
            let users: Vec<UserId> = visible_to.clone().unwrap_or_default();
            let detail = format!(
                "Assigned to {}; visible to {}.",
                list(assignees, &name),
                visible_to.as_ref().map_or_else(
                    || "everyone in its group".to_owned(),
                    |_| list(&users, &name)
                )
            );
            let event = decoded.as_ref().expect("decoded");
            (sentence(event, &actor_name, &contact, &name), Some(detail))
        }
        Ok(event) => (sentence(event, &actor_name, &contact, &name), None),
        // An entry this build cannot decode is still told, by its kind.
        Err(_) => (
            format!("{} ({})", actor_name, entry.kind.replace('_', " ")),
            None,
        ),
    };
    Narrated {
        actor_name,
        text,
        team_detail,
    }
}

fn list(users: &[UserId], name: &dyn Fn(Uuid) -> String) -> String {
    if users.is_empty() {
        "nobody".to_owned()
    } else {
        users
            .iter()
            .map(|user| name(user.0))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn sentence(event: &E, actor: &str, contact: &str, name: &dyn Fn(Uuid) -> String) -> String {
    let user = |user: &UserId| name(user.0);
    let users = |list: &[UserId]| {
        if list.is_empty() {
            "nobody".to_owned()
        } else {
            list.iter().map(user).collect::<Vec<_>>().join(", ")
        }
    };
    let visible = |list: &Option<Vec<UserId>>| match list {
        None => "everyone in its group".to_owned(),
        Some(list) => users(list),
    };
    match event {
        E::ConversationStarted {
            channel,
            started_by,
            ..
        } => match started_by {
            StartedBy::InboundMessage => {
                format!("{contact} started a conversation by {}.", channel.as_str())
            }
            StartedBy::Agent => format!(
                "{actor} started a conversation with {contact} by {}.",
                channel.as_str()
            ),
        },
        E::MessageReceived {
            channel, content, ..
        } => format!("{contact} wrote by {}: {}", channel.as_str(), said(content)),
        E::MessageSent {
            channel,
            sender_kind,
            author,
            content,
            ..
        } => {
            let who = match (sender_kind, author) {
                (SenderKind::Agent, Some(author)) => user(author),
                (SenderKind::Agent, None) => actor.to_owned(),
                (SenderKind::Bot, _) => "The chatbot".to_owned(),
                (SenderKind::AutoReply, _) => "The auto-reply".to_owned(),
                (SenderKind::System, _) => "caselog".to_owned(),
            };
            format!("{who} replied by {}: {}", channel.as_str(), said(content))
        }
        other => event_sentence(other, actor, contact, &user, &users, &visible),
    }
}

/// Everything but how a conversation starts and its messages.
fn event_sentence(
    event: &E,
    actor: &str,
    contact: &str,
    user: &dyn Fn(&UserId) -> String,
    users: &dyn Fn(&[UserId]) -> String,
    visible: &dyn Fn(&Option<Vec<UserId>>) -> String,
) -> String {
    match event {
        E::HandedOffToHuman { reason } => match reason {
            Some(reason) => format!("The chatbot handed the conversation to a person: {reason}"),
            None => "The chatbot handed the conversation to a person.".to_owned(),
        },
        E::ContactReturned {
            previous_conversation_id,
            previous_agent,
        } => format!(
            "{contact} came back; their previous conversation ({previous_conversation_id}) was with {}.",
            previous_agent
                .as_ref()
                .map_or_else(|| "nobody".to_owned(), user)
        ),
        E::BotEnabled { by } => format!(
            "{} switched the chatbot on.",
            by.as_ref().map_or_else(|| actor.to_owned(), user)
        ),
        E::BotDisabled { by } => format!(
            "{} switched the chatbot off.",
            by.as_ref().map_or_else(|| actor.to_owned(), user)
        ),
        E::PrivateNoteAdded { author, text, .. } => {
            format!("{} added a private note: {text}", user(author))
        }
        E::InternalMessageSent {
            from,
            to,
            text,
            in_reply_to,
            ..
        } => {
            let reply = if in_reply_to.is_some() {
                " in reply"
            } else {
                ""
            };
            format!(
                "{} wrote to {}{reply} (internal): {text}",
                user(from),
                user(to)
            )
        }
        E::InternalMessageRead { reader, .. } => {
            format!("{} read an internal message.", user(reader))
        }
        E::InternalThreadDeleted {
            message_ids,
            deleted_by,
            ..
        } => format!(
            "{} deleted an internal thread ({} messages).",
            user(deleted_by),
            message_ids.len()
        ),
        E::ConversationAssigned {
            assignees,
            automatic,
            ..
        } => {
            let how = if *automatic { " automatically" } else { "" };
            match assignees.as_slice() {
                [] => format!("{actor} unassigned the conversation."),
                list => format!("{actor} assigned the conversation{how} to {}.", users(list)),
            }
        }
        E::VisibilityChanged { visible_to } => {
            format!(
                "{actor} made the conversation visible to {}.",
                visible(visible_to)
            )
        }
        E::ConversationAccepted { user: who } => {
            format!("{} accepted the conversation.", user(who))
        }
        E::ConversationRejected { user: who } => {
            format!("{} declined the conversation.", user(who))
        }
        E::ConversationLeft { user: who } => format!("{} left the conversation.", user(who)),
        E::ConversationRead { user: who, .. } => format!("{} read the conversation.", user(who)),
        other => lifecycle_sentence(other, actor, contact)
            .unwrap_or_else(|| format!("{actor} changed the conversation.")),
    }
}

/// How the conversation went: status, invoices, rating, topic.
fn lifecycle_sentence(event: &E, actor: &str, contact: &str) -> Option<String> {
    Some(match event {
        E::ConversationResolved {} => format!("{actor} resolved the conversation."),
        E::ConversationClosed { reason } => match reason {
            CloseReason::Manual => format!("{actor} closed the conversation."),
            CloseReason::AutoClose => {
                "caselog closed the conversation after it stayed resolved.".to_owned()
            }
        },
        E::ConversationReopened {} => format!("{actor} reopened the conversation."),
        E::ConversationDeleted {} => {
            format!("{actor} deleted the conversation; its content was erased.")
        }
        E::InvoiceAttached {
            invoice_id,
            amount_minor,
            currency,
        } => format!(
            "{actor} attached invoice {invoice_id} for {}.",
            money(*amount_minor, currency)
        ),
        E::InvoicePaid { invoice_id } => format!("Invoice {invoice_id} was paid."),
        E::ConversationRated { score, comment } => match comment {
            Some(comment) => format!("{contact} rated the conversation {score} of 5: {comment}"),
            None => format!("{contact} rated the conversation {score} of 5."),
        },
        E::TopicSet { topic } => format!("{actor} set the topic to {topic}."),
        _ => return None,
    })
}

/// What a message said: its text, then each attachment and voice message on a line.
pub fn said(content: &MessageContent) -> String {
    let mut lines = Vec::new();
    if let Some(text) = &content.text {
        lines.push(text.clone());
    }
    for attachment in &content.attachments {
        lines.push(format!(
            "Attachment: {} ({}, {} bytes) {}",
            attachment.name, attachment.media_type, attachment.size_bytes, attachment.url
        ));
    }
    if let Some(voice) = &content.voice {
        lines.push(format!(
            "Voice message, {} s: {}",
            voice.duration_seconds, voice.url
        ));
    }
    lines.join("\n")
}

/// An amount in minor units, with its currency's decimals.
pub fn money(amount_minor: i64, currency: &str) -> String {
    const WITHOUT_DECIMALS: [&str; 8] = ["JPY", "KRW", "CLP", "VND", "ISK", "UGX", "XAF", "XOF"];
    if WITHOUT_DECIMALS.contains(&currency.to_ascii_uppercase().as_str()) {
        return format!("{amount_minor} {currency}");
    }
    let sign = if amount_minor < 0 { "-" } else { "" };
    let amount = amount_minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", amount / 100, amount % 100)
}

/// `message_received` -> `MessageReceived`.
pub(crate) fn event_type_of(kind: &str) -> String {
    kind.split('_')
        .map(|word| {
            let mut characters = word.chars();
            characters.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + characters.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
