use super::*;
use crate::events::{from_stored, to_stored};

#[test]
fn a_direct_message_has_one_id_whichever_side_opens_it() {
    let tenant = Uuid::from_u128(1);
    let (ana, rui) = (UserId(Uuid::from_u128(2)), UserId(Uuid::from_u128(3)));
    assert_eq!(
        direct_message_id(tenant, ana, rui),
        direct_message_id(tenant, rui, ana)
    );
    assert_ne!(
        direct_message_id(tenant, ana, ana),
        direct_message_id(tenant, ana, rui)
    );
    assert_ne!(
        direct_message_id(Uuid::from_u128(9), ana, rui),
        direct_message_id(tenant, ana, rui)
    );
}

#[test]
fn each_name_is_the_one_serde_stores() {
    fn stored(value: impl Serialize) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }
    for kind in [
        ChannelKind::Public,
        ChannelKind::Private,
        ChannelKind::Announcement,
        ChannelKind::Direct,
    ] {
        assert_eq!(kind.as_str(), stored(kind));
    }
    for role in [ChannelRole::Owner, ChannelRole::Admin, ChannelRole::Member] {
        assert_eq!(role.as_str(), stored(role));
    }
    for level in [
        NotificationLevel::All,
        NotificationLevel::Mentions,
        NotificationLevel::None,
    ] {
        assert_eq!(level.as_str(), stored(level));
    }
    for entity_type in CardEntityType::ALL {
        assert_eq!(entity_type.as_str(), stored(entity_type));
    }
    for channel in crate::events::Channel::ALL {
        assert_eq!(channel.as_str(), stored(channel));
    }
}

#[test]
fn avatars_are_an_image_or_an_icon_with_a_colour() {
    let icon: ChannelAvatar =
        serde_json::from_value(serde_json::json!({"icon": "megaphone", "color": "#ff8800"}))
            .unwrap();
    assert!(matches!(icon, ChannelAvatar::Icon { .. }));
    let image: ChannelAvatar =
        serde_json::from_value(serde_json::json!({"image_url": "https://x.test/a.png"})).unwrap();
    assert!(matches!(image, ChannelAvatar::Image { .. }));
}

#[test]
fn chat_events_round_trip_through_their_stored_form() {
    let event = ChatChannelEvent::CardShared {
        card_id: Uuid::from_u128(5),
        author: UserId(Uuid::from_u128(2)),
        entity_type: CardEntityType::CalendarEvent,
        entity_id: "evt-42".into(),
        description: Some(CardDescription {
            title: "Kick-off".into(),
            summary: None,
            url: "https://calendar.test/evt-42".into(),
        }),
        text: Some("see you there".into()),
        mentions: vec![],
        shared_at: DateTime::UNIX_EPOCH,
    };
    let (event_type, payload) = to_stored(&event);
    assert_eq!(event_type, "CardShared");
    assert_eq!(payload["entity_type"], "calendar_event");
    assert_eq!(
        from_stored::<ChatChannelEvent>(&event_type, &payload).unwrap(),
        event
    );
    let (event_type, payload) = to_stored(&ChatReaderEvent::AllNotificationsRead {});
    assert_eq!(
        from_stored::<ChatReaderEvent>(&event_type, &payload).unwrap(),
        ChatReaderEvent::AllNotificationsRead {}
    );
}
