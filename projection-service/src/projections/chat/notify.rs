//! Who a new message notifies, and how: the bell's rules. A member's level and mute
//! for the channel decide whether a message notifies them at all, and of which kind;
//! their notification preferences decide whether that kind reaches the bell, email,
//! or neither.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use caselog_schemas::events::{DeliveryPreference, NotificationLevel, NotificationPreferences};
use caselog_schemas::{EventEnvelope, UserId};

use super::ApplyError;

/// A message (or a shared card) as the bell sees it.
pub struct Posted<'a> {
    pub message_id: Uuid,
    pub author: UserId,
    pub mentions: &'a [UserId],
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Mention,
    Dm,
    Announcement,
}

impl NotificationKind {
    fn name(self) -> &'static str {
        match self {
            NotificationKind::Mention => "mention",
            NotificationKind::Dm => "dm",
            NotificationKind::Announcement => "announcement",
        }
    }
}

/// The kind of notification a message gives one recipient, if any: muted or level
/// `none` silences the channel; `mentions` lets through only what mentions them; `all`
/// also lets through every message of a DM or an announcement channel.
pub fn notification_kind(
    channel_kind: &str,
    level: NotificationLevel,
    muted: bool,
    mentioned: bool,
) -> Option<NotificationKind> {
    if muted {
        return None;
    }
    match level {
        NotificationLevel::None => None,
        NotificationLevel::Mentions => mentioned.then_some(NotificationKind::Mention),
        NotificationLevel::All => match channel_kind {
            "direct" => Some(NotificationKind::Dm),
            "announcement" => Some(NotificationKind::Announcement),
            _ => mentioned.then_some(NotificationKind::Mention),
        },
    }
}

/// Where a kind goes for a user, given their stored preferences (none: the defaults).
pub fn delivery(
    preferences: Option<&serde_json::Value>,
    kind: NotificationKind,
) -> DeliveryPreference {
    let preferences: NotificationPreferences = preferences
        .and_then(|stored| serde_json::from_value(stored.clone()).ok())
        .unwrap_or_default();
    match kind {
        NotificationKind::Mention => preferences.mention,
        NotificationKind::Dm => preferences.dm,
        NotificationKind::Announcement => preferences.announcement,
    }
}

pub async fn notify(
    conn: &mut PgConnection,
    event: &EventEnvelope,
    posted: &Posted<'_>,
) -> Result<(), ApplyError> {
    let tenant_id = event.tenant_id.0;
    let channel_id = event.stream_id.0;
    let Some(channel_kind): Option<String> =
        sqlx::query_scalar("SELECT kind FROM channels WHERE tenant_id = $1 AND channel_id = $2")
            .bind(tenant_id)
            .bind(channel_id)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(());
    };
    let mentions: Vec<Uuid> = posted.mentions.iter().map(|user| user.0).collect();
    // Members, every staff member for an announcement, and mentioned users who are not
    // members but may read the channel (public and announcement channels are read by
    // everyone).
    let recipients: Vec<(Uuid, String, bool, Option<serde_json::Value>)> =
        sqlx::query_as(include_str!("sql/recipients.sql"))
            .bind(tenant_id)
            .bind(channel_id)
            .bind(&mentions)
            .bind(matches!(channel_kind.as_str(), "public" | "announcement"))
            .bind(posted.author.0)
            .bind(channel_kind == "announcement")
            .fetch_all(&mut *conn)
            .await?;

    let (mut users, mut kinds, mut bells, mut emails) = (vec![], vec![], vec![], vec![]);
    for (user_id, level, muted, preferences) in recipients {
        let level = [NotificationLevel::Mentions, NotificationLevel::None]
            .into_iter()
            .find(|known| known.as_str() == level)
            .unwrap_or_default();
        let mentioned = mentions.contains(&user_id);
        let Some(kind) = notification_kind(&channel_kind, level, muted, mentioned) else {
            continue;
        };
        let goes = delivery(preferences.as_ref(), kind);
        if goes.bell || goes.email {
            users.push(user_id);
            kinds.push(kind.name());
            bells.push(goes.bell);
            emails.push(goes.email);
        }
    }
    if users.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (tenant_id, user_id, message_id, channel_id, kind, bell, \
           email, at, position) \
         SELECT $1, user_id, $2, $3, kind, bell, email, $4, $5 \
         FROM unnest($6::uuid[], $7::text[], $8::bool[], $9::bool[]) AS r(user_id, kind, bell, email) \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(posted.message_id)
    .bind(channel_id)
    .bind(posted.at)
    .bind(event.position.0)
    .bind(&users)
    .bind(&kinds)
    .bind(&bells)
    .bind(&emails)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use NotificationKind::*;
    use NotificationLevel as Level;

    #[test]
    fn a_mention_notifies_at_levels_all_and_mentions_but_not_none_or_muted() {
        for channel in ["public", "private"] {
            assert_eq!(
                notification_kind(channel, Level::All, false, true),
                Some(Mention)
            );
            assert_eq!(
                notification_kind(channel, Level::Mentions, false, true),
                Some(Mention)
            );
            assert_eq!(notification_kind(channel, Level::None, false, true), None);
            assert_eq!(notification_kind(channel, Level::All, true, true), None);
            assert_eq!(notification_kind(channel, Level::All, false, false), None);
        }
    }

    #[test]
    fn every_dm_and_announcement_notifies_at_level_all_only_mentions_at_level_mentions() {
        assert_eq!(
            notification_kind("direct", Level::All, false, false),
            Some(Dm)
        );
        assert_eq!(
            notification_kind("announcement", Level::All, false, false),
            Some(Announcement)
        );
        assert_eq!(
            notification_kind("direct", Level::Mentions, false, false),
            None
        );
        assert_eq!(
            notification_kind("announcement", Level::Mentions, false, true),
            Some(Mention)
        );
        assert_eq!(notification_kind("direct", Level::All, true, false), None);
    }

    #[test]
    fn preferences_route_each_kind_with_the_bell_on_by_default() {
        let stored = serde_json::json!({
            "mention": {"bell": false, "email": true},
            "dm": {"bell": true, "email": true},
            "announcement": {"bell": true, "email": false}
        });
        assert_eq!(
            delivery(Some(&stored), Mention),
            DeliveryPreference {
                bell: false,
                email: true
            }
        );
        assert_eq!(
            delivery(Some(&stored), Dm),
            DeliveryPreference {
                bell: true,
                email: true
            }
        );
        assert_eq!(delivery(None, Announcement), DeliveryPreference::default());
        assert!(DeliveryPreference::default().bell && !DeliveryPreference::default().email);
    }
}
