//! What a card shows to one viewer, built when it is read. A card stores a reference;
//! a conversation's card is checked against the conversation's visibility now (not
//! when it was shared): outside its list, the viewer gets the card with no title,
//! summary or contact name, only that it is restricted. A deleted conversation's card
//! says so. An integration's card shows its registered item as it now stands, to
//! those its access names; a removed (or never registered) item is unavailable.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::events::ItemAccess;

use crate::read_models::Viewer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// Shown in full.
    Available,
    /// The viewer may not see the item: nothing of it is shown.
    Restricted,
    /// The item was deleted.
    Deleted,
    /// The item is not (or no longer, or not yet) known.
    Unavailable,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Card {
    pub id: Uuid,
    pub channel_id: Uuid,
    pub entity_type: String,
    pub entity_id: String,
    pub state: CardState,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub icon: Option<String>,
    /// Where the item opens.
    pub url: Option<String>,
    /// Conversation cards: the contact's name.
    pub contact_name: Option<String>,
    pub shared_by: Uuid,
    pub shared_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct StoredCard {
    card_id: Uuid,
    channel_id: Uuid,
    entity_type: String,
    entity_id: String,
    shared_by: Uuid,
    shared_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ConversationFacts {
    contact_name: Option<String>,
    channels: Vec<String>,
    status: String,
    assignees: Vec<Uuid>,
    unreplied_count: i32,
    topic: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ContactFacts {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
}

impl StoredCard {
    fn shown(self, state: CardState) -> Card {
        Card {
            id: self.card_id,
            channel_id: self.channel_id,
            entity_type: self.entity_type,
            entity_id: self.entity_id,
            state,
            title: None,
            summary: None,
            icon: None,
            url: None,
            contact_name: None,
            shared_by: self.shared_by,
            shared_at: self.shared_at,
        }
    }
}

/// The cards among `card_ids` as `viewer` may see them (the channels were checked).
pub async fn resolve(
    pool: &PgPool,
    viewer: &Viewer,
    card_ids: &[Uuid],
) -> Result<HashMap<Uuid, Card>, sqlx::Error> {
    if card_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let stored: Vec<StoredCard> = sqlx::query_as(
        "SELECT card_id, channel_id, entity_type, entity_id, shared_by, shared_at \
         FROM rm_chat.cards WHERE tenant_id = $1 AND card_id = ANY($2)",
    )
    .bind(viewer.tenant_id.0)
    .bind(card_ids)
    .fetch_all(pool)
    .await?;
    let mut cards = HashMap::with_capacity(stored.len());
    for card in stored {
        let resolved = match card.entity_type.as_str() {
            "conversation" => conversation_card(pool, viewer, card).await?,
            "contact" => contact_card(pool, viewer, card).await?,
            _ => integration_card(pool, viewer, card).await?,
        };
        cards.insert(resolved.id, resolved);
    }
    Ok(cards)
}

#[derive(sqlx::FromRow)]
struct ItemFacts {
    title: String,
    summary: Option<String>,
    url: String,
    access: serde_json::Value,
    viewer_groups: Option<Vec<Uuid>>,
}

async fn integration_card(
    pool: &PgPool,
    viewer: &Viewer,
    card: StoredCard,
) -> Result<Card, sqlx::Error> {
    let item: Option<ItemFacts> = sqlx::query_as(
        "SELECT i.title, i.summary, i.url, i.access, \
                (SELECT u.groups FROM rm_directory.users u \
                 WHERE u.tenant_id = i.tenant_id AND u.user_id = $4) AS viewer_groups \
         FROM rm_directory.items i \
         WHERE i.tenant_id = $1 AND i.entity_type = $2 AND i.entity_id = $3",
    )
    .bind(viewer.tenant_id.0)
    .bind(&card.entity_type)
    .bind(&card.entity_id)
    .bind(viewer.user_id.0)
    .fetch_optional(pool)
    .await?;
    let Some(item) = item else {
        return Ok(card.shown(CardState::Unavailable));
    };
    let access: ItemAccess =
        serde_json::from_value(item.access).map_err(|error| sqlx::Error::Decode(error.into()))?;
    let groups = item.viewer_groups.unwrap_or_default();
    if !access.allows(viewer.user_id, viewer.role, &groups) {
        return Ok(card.shown(CardState::Restricted));
    }
    let icon = Some(card.entity_type.clone());
    Ok(Card {
        title: Some(item.title),
        summary: item.summary,
        url: Some(item.url),
        icon,
        ..card.shown(CardState::Available)
    })
}

async fn conversation_card(
    pool: &PgPool,
    viewer: &Viewer,
    card: StoredCard,
) -> Result<Card, sqlx::Error> {
    let Ok(conversation_id) = card.entity_id.parse::<Uuid>() else {
        return Ok(card.shown(CardState::Unavailable));
    };
    // Who may see it and whether it was deleted, as the history read model knows it.
    let access: Option<(Option<Vec<Uuid>>, bool)> = sqlx::query_as(
        "SELECT visible_to, deleted FROM rm_history.conversation_access \
         WHERE tenant_id = $1 AND conversation_id = $2",
    )
    .bind(viewer.tenant_id.0)
    .bind(conversation_id)
    .fetch_optional(pool)
    .await?;
    match access {
        None => return Ok(card.shown(CardState::Unavailable)),
        Some((_, true)) => {
            return Ok(Card {
                summary: Some("This conversation was deleted.".into()),
                ..card.shown(CardState::Deleted)
            });
        }
        Some((visible_to, false)) if !viewer.may_see(visible_to.as_deref()) => {
            return Ok(card.shown(CardState::Restricted));
        }
        Some(_) => {}
    }
    let row: Option<ConversationFacts> = sqlx::query_as(include_str!("sql/conversation_facts.sql"))
        .bind(viewer.tenant_id.0)
        .bind(conversation_id)
        .bind(viewer.user_id.0)
        .bind(viewer.sees_all)
        .fetch_optional(pool)
        .await?;
    let Some(ConversationFacts {
        contact_name,
        channels,
        status,
        assignees,
        unreplied_count: unreplied,
        topic,
    }) = row
    else {
        return Ok(card.shown(CardState::Unavailable));
    };
    let contact = contact_name.clone().unwrap_or_else(|| "a contact".into());
    let mut summary = vec![status, channels.join(", ")];
    summary.push(match assignees.len() {
        0 => "unassigned".to_owned(),
        1 => "1 assignee".to_owned(),
        n => format!("{n} assignees"),
    });
    if unreplied > 0 {
        summary.push(format!("{unreplied} unreplied"));
    }
    if let Some(topic) = topic {
        summary.push(topic);
    }
    Ok(Card {
        title: Some(format!("Conversation with {contact}")),
        summary: Some(summary.join(" · ")),
        icon: channels.first().cloned(),
        url: Some(format!("/v1/conversations/{conversation_id}")),
        contact_name,
        ..card.shown(CardState::Available)
    })
}

async fn contact_card(
    pool: &PgPool,
    viewer: &Viewer,
    card: StoredCard,
) -> Result<Card, sqlx::Error> {
    let Ok(contact_id) = card.entity_id.parse::<Uuid>() else {
        return Ok(card.shown(CardState::Unavailable));
    };
    let row: Option<ContactFacts> = sqlx::query_as(
        "SELECT name, email, phone, country FROM rm_directory.contacts \
         WHERE tenant_id = $1 AND contact_id = $2",
    )
    .bind(viewer.tenant_id.0)
    .bind(contact_id)
    .fetch_optional(pool)
    .await?;
    let Some(ContactFacts {
        name,
        email,
        phone,
        country,
    }) = row
    else {
        return Ok(card.shown(CardState::Unavailable));
    };
    let summary: Vec<String> = [email, phone, country].into_iter().flatten().collect();
    Ok(Card {
        title: Some(name.clone()),
        summary: (!summary.is_empty()).then(|| summary.join(" · ")),
        icon: Some("contact".into()),
        url: Some(format!("/v1/contacts/{contact_id}")),
        contact_name: Some(name),
        ..card.shown(CardState::Available)
    })
}

/// A card by id, when its channel is visible to the viewer and its message stands.
pub async fn one(
    pool: &PgPool,
    viewer: &Viewer,
    card_id: Uuid,
) -> Result<Option<Card>, sqlx::Error> {
    let visible: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT EXISTS (SELECT 1 FROM rm_chat.cards k \
           JOIN rm_chat.channels c ON c.tenant_id = k.tenant_id AND c.channel_id = k.channel_id \
           WHERE k.tenant_id = $1 AND k.card_id = $3 AND {})",
        super::VISIBLE
    )))
    .bind(viewer.tenant_id.0)
    .bind(viewer.user_id.0)
    .bind(card_id)
    .fetch_one(pool)
    .await?;
    if !visible {
        return Ok(None);
    }
    Ok(resolve(pool, viewer, &[card_id]).await?.remove(&card_id))
}
