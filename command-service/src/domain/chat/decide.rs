//! Where a chat command becomes events. Permissions come first (see [`rules`]), then
//! the command's own validation; a command that changes nothing appends nothing.

use caselog_schemas::UserId;
use caselog_schemas::events::{
    CardDescription, ChannelAvatar, ChannelKind, ChannelRole, ChatChannelEvent as E, MessageContent,
};

use super::command::{ChannelChanges, ChatCommand as C, ChatContext, NewCard};
use super::mentions::mentions_in;
use super::rejection::ChatRejection as R;
use super::rules;
use super::state::Channel;
use crate::domain::conversation::Actor;

mod channels;
mod members;
mod messages;

const NAME_MAX: usize = 80;
const DESCRIPTION_MAX: usize = 500;
const TEXT_MAX: usize = 10_000;
const NOTE_MAX: usize = 2_000;
const EMOJI_MAX: usize = 64;
const URL_MAX: usize = 2_048;
const MENTIONS_MAX: usize = 100;

pub fn decide(channel: &Channel, context: ChatContext, command: C) -> Result<Vec<E>, R> {
    rules::chat_switched_on(context.chat_enabled)?;
    let actor = context.actor;
    match command {
        C::CreateChannel { .. }
        | C::UpdateChannel(..)
        | C::JoinChannel
        | C::OpenDirectMessage { .. } => channels::decide(channel, actor, command),
        C::AddMember { .. }
        | C::RemoveMember { .. }
        | C::ChangeMemberRole { .. }
        | C::SetAnnouncementAuthors { .. }
        | C::SetMemberPreferences { .. } => members::decide(channel, actor, command),
        C::PostMessage { .. }
        | C::DeleteMessage { .. }
        | C::React { .. }
        | C::Unreact { .. }
        | C::ShareCard { .. } => messages::decide(channel, actor, command),
    }
}

fn update(channel: &Channel, changes: ChannelChanges) -> Result<Vec<E>, R> {
    let name = match changes.name {
        Some(name) => channel_name(&name)?,
        None => channel.name.clone(),
    };
    let description = match changes.description {
        Some(description) => description_of(description)?,
        None => channel.description.clone(),
    };
    let avatar = match changes.avatar {
        Some(avatar) => {
            if let Some(avatar) = &avatar {
                require_avatar(avatar)?;
            }
            avatar
        }
        None => channel.avatar.clone(),
    };
    if name == channel.name && description == channel.description && avatar == channel.avatar {
        return Ok(Vec::new());
    }
    Ok(vec![E::ChannelUpdated {
        name,
        description,
        avatar,
    }])
}

fn share(author: UserId, card: NewCard, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<E>, R> {
    let NewCard {
        card_id,
        entity_type,
        entity_id,
        description,
        text,
        mentions,
    } = card;
    let entity_id = entity_id.trim().to_owned();
    if entity_id.is_empty() {
        return Err(R::Blank { field: "entity_id" });
    }
    let description = match (entity_type.is_caselog_own(), description) {
        (true, None) => None,
        (true, Some(_)) => {
            return Err(R::Invalid {
                field: "title",
                reason: "conversation and contact cards are built from caselog's data; leave out title, summary and url",
            });
        }
        // What an integration's card shows comes from its registered item, read again on
        // every read; a description given with it is kept as it was described then.
        (false, None) => None,
        (false, Some(description)) => Some(require_description(description)?),
    };
    let text = optional_text("message", text, TEXT_MAX)?;
    let mentions = mentions_of(text.as_deref(), mentions)?;
    Ok(vec![E::CardShared {
        card_id,
        author,
        entity_type,
        entity_id,
        description,
        text,
        mentions,
        shared_at: now,
    }])
}

fn live_message(
    channel: &Channel,
    message_id: uuid::Uuid,
) -> Result<&super::state::PostedMessage, R> {
    match channel.messages.get(&message_id) {
        None => Err(R::UnknownMessage { message_id }),
        Some(message) if message.deleted => Err(R::MessageDeleted { message_id }),
        Some(message) => Ok(message),
    }
}

fn channel_name(name: &str) -> Result<String, R> {
    let name = name.trim();
    if name.is_empty() {
        return Err(R::Blank { field: "name" });
    }
    if name.chars().count() > NAME_MAX {
        return Err(R::Invalid {
            field: "name",
            reason: "at most 80 characters",
        });
    }
    Ok(name.to_owned())
}

fn description_of(description: Option<String>) -> Result<Option<String>, R> {
    optional_text("description", description, DESCRIPTION_MAX)
}

/// Trimmed; blank reads as absent.
fn optional_text(
    field: &'static str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>, R> {
    let Some(text) = text else { return Ok(None) };
    let text = text.trim();
    if text.chars().count() > max {
        return Err(R::Invalid {
            field,
            reason: "too long",
        });
    }
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

fn require_avatar(avatar: &ChannelAvatar) -> Result<(), R> {
    match avatar {
        ChannelAvatar::Image { image_url } => require_url("avatar.image_url", image_url),
        ChannelAvatar::Icon { icon, color } => {
            if icon.trim().is_empty() || icon.chars().count() > EMOJI_MAX {
                return Err(R::Invalid {
                    field: "avatar.icon",
                    reason: "an icon name of 1 to 64 characters",
                });
            }
            let is_colour = color.len() == 7
                && color.starts_with('#')
                && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if is_colour {
                Ok(())
            } else {
                Err(R::Invalid {
                    field: "avatar.color",
                    reason: "must be a colour such as #1f8a70",
                })
            }
        }
    }
}

fn require_url(field: &'static str, url: &str) -> Result<(), R> {
    let is_web = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= URL_MAX
        && !url.chars().any(char::is_whitespace);
    if is_web {
        Ok(())
    } else {
        Err(R::Invalid {
            field,
            reason: "must be an http(s) URL",
        })
    }
}

fn require_description(description: CardDescription) -> Result<CardDescription, R> {
    let title = description.title.trim().to_owned();
    if title.is_empty() {
        return Err(R::Blank { field: "title" });
    }
    if title.chars().count() > 200 {
        return Err(R::Invalid {
            field: "title",
            reason: "at most 200 characters",
        });
    }
    let summary = optional_text("summary", description.summary, DESCRIPTION_MAX)?;
    require_url("url", &description.url)?;
    Ok(CardDescription {
        title,
        summary,
        url: description.url,
    })
}

fn require_content(content: MessageContent) -> Result<MessageContent, R> {
    if content
        .text
        .as_deref()
        .is_some_and(|text| text.chars().count() > TEXT_MAX)
    {
        return Err(R::Invalid {
            field: "text",
            reason: "at most 10000 characters",
        });
    }
    for attachment in &content.attachments {
        require_url("attachments.url", &attachment.url)?;
    }
    if let Some(voice) = &content.voice {
        require_url("voice.url", &voice.url)?;
        if voice.duration_seconds == 0 {
            return Err(R::Invalid {
                field: "voice.duration_seconds",
                reason: "must be positive",
            });
        }
    }
    Ok(content)
}

fn require_emoji(emoji: &str) -> Result<String, R> {
    let emoji = emoji.trim();
    if emoji.is_empty() {
        return Err(R::Blank { field: "emoji" });
    }
    if emoji.len() > EMOJI_MAX || emoji.chars().any(char::is_whitespace) {
        return Err(R::Invalid {
            field: "emoji",
            reason: "one emoji or a short code such as :tada:",
        });
    }
    Ok(emoji.to_owned())
}

/// Mentions given by the client plus those written as `@<user id>` in the text.
fn mentions_of(text: Option<&str>, given: Vec<UserId>) -> Result<Vec<UserId>, R> {
    let mut mentions = unique(given);
    for user in text.map(mentions_in).unwrap_or_default() {
        if !mentions.contains(&user) {
            mentions.push(user);
        }
    }
    if mentions.len() > MENTIONS_MAX {
        return Err(R::Invalid {
            field: "mentions",
            reason: "at most 100 people",
        });
    }
    Ok(mentions)
}

fn unique(users: Vec<UserId>) -> Vec<UserId> {
    let mut seen = Vec::with_capacity(users.len());
    for user in users {
        if !seen.contains(&user) {
            seen.push(user);
        }
    }
    seen
}
