//! given(history).when(command).then(events) / rejection, one test per chat rule.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use caselog_schemas::events::{
    CardDescription, CardEntityType, ChannelAvatar, ChannelKind, ChannelRole,
    ChatChannelEvent as E, ChatReaderEvent, MessageContent, NotificationLevel,
};
use caselog_schemas::{Role, UserId};

use super::*;
use crate::domain::conversation::Actor;

fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}

const OWNER: u128 = 1;
const MEMBER: u128 = 2;
const OUTSIDER: u128 = 3;
const ACCOUNT_ADMIN: u128 = 4;
const INTEGRATION: u128 = 5;

fn actor(n: u128) -> Actor {
    let role = match n {
        ACCOUNT_ADMIN => Role::Admin,
        INTEGRATION => Role::Integration,
        _ => Role::Agent,
    };
    Actor {
        user_id: user(n),
        role,
    }
}

fn as_user(n: u128) -> ChatContext {
    ChatContext {
        actor: actor(n),
        chat_enabled: true,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

fn created(kind: ChannelKind) -> E {
    E::ChannelCreated {
        kind,
        name: "finance".into(),
        description: None,
        avatar: None,
        owner: user(OWNER),
        members: vec![user(MEMBER)],
        authors: if kind == ChannelKind::Announcement {
            vec![user(OWNER)]
        } else {
            vec![]
        },
    }
}

fn posted(message: u128) -> E {
    E::MessagePosted {
        message_id: Uuid::from_u128(message),
        author: user(MEMBER),
        content: MessageContent::text("hello"),
        mentions: vec![],
        posted_at: now(),
    }
}

fn when(history: &[E], by: u128, command: ChatCommand) -> Result<Vec<E>, ChatRejection> {
    decide(&Channel::from_history(history), as_user(by), command)
}

fn post(text: &str) -> ChatCommand {
    ChatCommand::PostMessage {
        message_id: Uuid::from_u128(100),
        content: MessageContent::text(text),
        mentions: vec![],
        now: now(),
    }
}

fn create(kind: ChannelKind) -> ChatCommand {
    ChatCommand::CreateChannel {
        kind,
        name: "  general ".into(),
        description: Some("everyone".into()),
        avatar: Some(ChannelAvatar::Icon {
            icon: "hash".into(),
            color: "#1f8a70".into(),
        }),
        members: vec![user(MEMBER), user(MEMBER), user(OWNER)],
    }
}

fn card(entity_type: CardEntityType, description: Option<CardDescription>) -> ChatCommand {
    ChatCommand::ShareCard {
        card: NewCard {
            card_id: Uuid::from_u128(200),
            entity_type,
            entity_id: "42".into(),
            description,
            text: Some("look at this".into()),
            mentions: vec![],
        },
        now: now(),
    }
}

fn deal() -> Option<CardDescription> {
    Some(CardDescription {
        title: "ACME renewal".into(),
        summary: Some("stuck in negotiation".into()),
        url: "https://crm.test/deals/42".into(),
    })
}

#[test]
fn every_chat_command_is_refused_while_the_module_is_off() {
    let off = ChatContext {
        chat_enabled: false,
        ..as_user(OWNER)
    };
    let channel = Channel::from_history(&[created(ChannelKind::Public)]);
    for command in [
        create(ChannelKind::Public),
        ChatCommand::JoinChannel,
        post("hi"),
        ChatCommand::OpenDirectMessage { with: user(MEMBER) },
    ] {
        assert_eq!(
            decide(&channel, off, command),
            Err(ChatRejection::ChatSwitchedOff)
        );
    }
    assert_eq!(
        decide_reading(
            off,
            Some(&channel),
            ReadingCommand::MarkAllNotificationsRead
        ),
        Err(ChatRejection::ChatSwitchedOff)
    );
}

#[test]
fn a_channel_is_created_with_its_creator_as_owner_and_its_first_members() {
    let events = when(&[], OWNER, create(ChannelKind::Public)).unwrap();
    let [
        E::ChannelCreated {
            name,
            owner,
            members,
            authors,
            ..
        },
    ] = events.as_slice()
    else {
        panic!("one ChannelCreated, got {events:?}");
    };
    assert_eq!(name, "general");
    assert_eq!(*owner, user(OWNER));
    assert_eq!(members, &vec![user(MEMBER)]);
    assert!(authors.is_empty());
    let channel = Channel::from_history(&events);
    assert_eq!(channel.role_of(user(OWNER)), Some(ChannelRole::Owner));
    assert_eq!(channel.role_of(user(MEMBER)), Some(ChannelRole::Member));
    assert_eq!(
        when(&events, OWNER, create(ChannelKind::Public)),
        Err(ChatRejection::AlreadyExists)
    );
}

#[test]
fn agents_create_public_and_private_channels_but_only_account_admins_announcements() {
    assert!(when(&[], MEMBER, create(ChannelKind::Private)).is_ok());
    assert_eq!(
        when(&[], MEMBER, create(ChannelKind::Announcement)),
        Err(ChatRejection::MayNotCreate {
            kind: ChannelKind::Announcement
        })
    );
    let events = when(&[], ACCOUNT_ADMIN, create(ChannelKind::Announcement)).unwrap();
    assert!(
        matches!(&events[0], E::ChannelCreated { authors, .. } if authors == &vec![user(ACCOUNT_ADMIN)])
    );
    assert_eq!(
        when(&[], INTEGRATION, create(ChannelKind::Public)),
        Err(ChatRejection::MayNotCreate {
            kind: ChannelKind::Public
        })
    );
}

#[test]
fn channel_details_are_validated() {
    let mut bad_colour = create(ChannelKind::Public);
    if let ChatCommand::CreateChannel { avatar, .. } = &mut bad_colour {
        *avatar = Some(ChannelAvatar::Icon {
            icon: "hash".into(),
            color: "green".into(),
        });
    }
    assert!(matches!(
        when(&[], OWNER, bad_colour),
        Err(ChatRejection::Invalid {
            field: "avatar.color",
            ..
        })
    ));
    let mut bad_image = create(ChannelKind::Public);
    if let ChatCommand::CreateChannel { avatar, name, .. } = &mut bad_image {
        *avatar = Some(ChannelAvatar::Image {
            image_url: "javascript:alert(1)".into(),
        });
        *name = "ok".into();
    }
    assert!(matches!(
        when(&[], OWNER, bad_image),
        Err(ChatRejection::Invalid {
            field: "avatar.image_url",
            ..
        })
    ));
    let mut blank = create(ChannelKind::Public);
    if let ChatCommand::CreateChannel { name, .. } = &mut blank {
        *name = "   ".into();
    }
    assert_eq!(
        when(&[], OWNER, blank),
        Err(ChatRejection::Blank { field: "name" })
    );
}

#[test]
fn channel_owners_admins_and_account_admins_update_a_channel_members_do_not() {
    let history = [created(ChannelKind::Private)];
    let rename = || {
        ChatCommand::UpdateChannel(ChannelChanges {
            name: Some("money".into()),
            avatar: Some(Some(ChannelAvatar::Image {
                image_url: "https://img.test/f.png".into(),
            })),
            ..ChannelChanges::default()
        })
    };
    assert_eq!(
        when(&history, MEMBER, rename()),
        Err(ChatRejection::NotAChannelManager)
    );
    assert_eq!(
        when(&history, OUTSIDER, rename()),
        Err(ChatRejection::NotFound)
    );
    let events = when(&history, OWNER, rename()).unwrap();
    assert!(
        matches!(&events[0], E::ChannelUpdated { name, description: None, .. } if name == "money")
    );
    assert!(when(&history, ACCOUNT_ADMIN, rename()).is_ok());
    let mut promoted = history.to_vec();
    promoted.push(E::MemberRoleChanged {
        user_id: user(MEMBER),
        role: ChannelRole::Admin,
    });
    assert!(when(&promoted, MEMBER, rename()).is_ok());
    promoted.extend(events);
    assert_eq!(when(&promoted, OWNER, rename()), Ok(vec![]));
}

#[test]
fn anyone_joins_a_public_channel_a_private_one_is_invisible() {
    let joined = when(
        &[created(ChannelKind::Public)],
        OUTSIDER,
        ChatCommand::JoinChannel,
    )
    .unwrap();
    assert_eq!(
        joined,
        vec![E::MemberJoined {
            user_id: user(OUTSIDER)
        }]
    );
    assert_eq!(
        when(
            &[created(ChannelKind::Public)],
            MEMBER,
            ChatCommand::JoinChannel
        ),
        Ok(vec![])
    );
    assert!(
        when(
            &[created(ChannelKind::Announcement)],
            OUTSIDER,
            ChatCommand::JoinChannel
        )
        .is_ok()
    );
    assert_eq!(
        when(
            &[created(ChannelKind::Private)],
            OUTSIDER,
            ChatCommand::JoinChannel
        ),
        Err(ChatRejection::NotFound)
    );
    assert_eq!(
        when(&[], OUTSIDER, ChatCommand::JoinChannel),
        Err(ChatRejection::NotFound)
    );
}

#[test]
fn managers_add_and_remove_members_plain_members_do_not() {
    let history = [created(ChannelKind::Private)];
    let add = ChatCommand::AddMember {
        user_id: user(OUTSIDER),
    };
    assert_eq!(
        when(&history, MEMBER, add.clone()),
        Err(ChatRejection::NotAChannelManager)
    );
    assert_eq!(
        when(&history, OWNER, add.clone()).unwrap(),
        vec![E::MemberAdded {
            user_id: user(OUTSIDER),
            added_by: user(OWNER)
        }]
    );
    // An account admin manages a private channel they are not in.
    assert!(when(&history, ACCOUNT_ADMIN, add).is_ok());
    let remove = |n| ChatCommand::RemoveMember { user_id: user(n) };
    assert_eq!(
        when(&history, OUTSIDER, remove(MEMBER)),
        Err(ChatRejection::NotFound)
    );
    assert_eq!(
        when(&history, OWNER, remove(MEMBER)).unwrap(),
        vec![E::MemberRemoved {
            user_id: user(MEMBER),
            removed_by: user(OWNER)
        }]
    );
    assert_eq!(when(&history, OWNER, remove(OUTSIDER)), Ok(vec![]));
}

#[test]
fn a_member_leaves_by_removing_themselves_but_the_owner_stays() {
    let history = [created(ChannelKind::Public)];
    assert!(
        when(
            &history,
            MEMBER,
            ChatCommand::RemoveMember {
                user_id: user(MEMBER)
            }
        )
        .is_ok()
    );
    assert_eq!(
        when(
            &history,
            OWNER,
            ChatCommand::RemoveMember {
                user_id: user(OWNER)
            }
        ),
        Err(ChatRejection::OwnerStays)
    );
    assert_eq!(
        when(
            &history,
            ACCOUNT_ADMIN,
            ChatCommand::RemoveMember {
                user_id: user(OWNER)
            }
        ),
        Err(ChatRejection::OwnerStays)
    );
}

#[test]
fn managers_promote_and_demote_but_never_the_owner_and_never_to_owner() {
    let history = [created(ChannelKind::Public)];
    let role = |n, role| ChatCommand::ChangeMemberRole {
        user_id: user(n),
        role,
    };
    let promoted = when(&history, OWNER, role(MEMBER, ChannelRole::Admin)).unwrap();
    assert_eq!(
        promoted,
        vec![E::MemberRoleChanged {
            user_id: user(MEMBER),
            role: ChannelRole::Admin
        }]
    );
    let mut after = history.to_vec();
    after.extend(promoted);
    assert_eq!(
        when(&after, OWNER, role(MEMBER, ChannelRole::Admin)),
        Ok(vec![])
    );
    assert!(when(&after, ACCOUNT_ADMIN, role(MEMBER, ChannelRole::Member)).is_ok());
    assert_eq!(
        when(&history, MEMBER, role(MEMBER, ChannelRole::Admin)),
        Err(ChatRejection::NotAChannelManager)
    );
    assert_eq!(
        when(&after, MEMBER, role(OWNER, ChannelRole::Member)),
        Err(ChatRejection::OwnerStays)
    );
    assert!(matches!(
        when(&history, OWNER, role(MEMBER, ChannelRole::Owner)),
        Err(ChatRejection::Invalid { field: "role", .. })
    ));
    assert_eq!(
        when(&history, OWNER, role(OUTSIDER, ChannelRole::Admin)),
        Err(ChatRejection::NotAMemberOfChannel {
            user: user(OUTSIDER)
        })
    );
}

#[test]
fn only_authors_post_in_an_announcement_channel() {
    let history = [created(ChannelKind::Announcement)];
    assert!(when(&history, OWNER, post("maintenance at 22:00")).is_ok());
    assert_eq!(
        when(&history, MEMBER, post("me too")),
        Err(ChatRejection::NotAnAuthor)
    );
    let authors = ChatCommand::SetAnnouncementAuthors {
        authors: vec![user(MEMBER), user(MEMBER)],
    };
    assert_eq!(
        when(&history, MEMBER, authors.clone()),
        Err(ChatRejection::NotAChannelManager)
    );
    let set = when(&history, OWNER, authors).unwrap();
    assert_eq!(
        set,
        vec![E::AnnouncementAuthorsSet {
            authors: vec![user(MEMBER)]
        }]
    );
    let mut after = history.to_vec();
    after.extend(set);
    assert!(when(&after, MEMBER, post("now I may")).is_ok());
    assert_eq!(
        when(&after, OWNER, post("and I no longer")),
        Err(ChatRejection::NotAnAuthor)
    );
    assert_eq!(
        when(
            &[created(ChannelKind::Public)],
            OWNER,
            ChatCommand::SetAnnouncementAuthors { authors: vec![] }
        ),
        Err(ChatRejection::NotAnAnnouncementChannel)
    );
}

#[test]
fn members_post_outsiders_of_a_public_channel_join_first_of_a_private_one_see_nothing() {
    assert!(when(&[created(ChannelKind::Public)], MEMBER, post("hi")).is_ok());
    assert_eq!(
        when(&[created(ChannelKind::Public)], OUTSIDER, post("hi")),
        Err(ChatRejection::NotAMember)
    );
    assert_eq!(
        when(&[created(ChannelKind::Private)], OUTSIDER, post("hi")),
        Err(ChatRejection::NotFound)
    );
    assert_eq!(
        when(&[created(ChannelKind::Public)], MEMBER, post("  ")),
        Err(ChatRejection::EmptyMessage)
    );
}

#[test]
fn mentions_come_from_the_text_and_the_list_without_repeats() {
    let text = format!("@{} can you look?", user(OUTSIDER));
    let events = when(
        &[created(ChannelKind::Public)],
        MEMBER,
        ChatCommand::PostMessage {
            message_id: Uuid::from_u128(100),
            content: MessageContent::text(text),
            mentions: vec![user(OWNER), user(OUTSIDER)],
            now: now(),
        },
    )
    .unwrap();
    assert!(matches!(&events[0], E::MessagePosted { mentions, .. }
        if mentions == &vec![user(OWNER), user(OUTSIDER)]));
}

#[test]
fn a_direct_message_is_opened_once_and_only_its_people_are_in_it() {
    let opened = when(
        &[],
        OWNER,
        ChatCommand::OpenDirectMessage { with: user(MEMBER) },
    )
    .unwrap();
    assert_eq!(
        opened,
        vec![E::DirectMessageOpened {
            members: vec![user(OWNER), user(MEMBER)]
        }]
    );
    assert_eq!(
        when(
            &opened,
            MEMBER,
            ChatCommand::OpenDirectMessage { with: user(OWNER) }
        ),
        Ok(vec![])
    );
    assert!(when(&opened, MEMBER, post("hey")).is_ok());
    assert_eq!(
        when(&opened, OUTSIDER, post("hey")),
        Err(ChatRejection::NotFound)
    );
    // An account admin outside a DM does not find it; its people cannot change it.
    assert_eq!(
        when(
            &opened,
            ACCOUNT_ADMIN,
            ChatCommand::AddMember {
                user_id: user(OUTSIDER)
            }
        ),
        Err(ChatRejection::NotFound)
    );
    assert_eq!(
        when(
            &opened,
            OWNER,
            ChatCommand::AddMember {
                user_id: user(OUTSIDER)
            }
        ),
        Err(ChatRejection::DirectMessageIsFixed)
    );
    let notes_to_self = when(
        &[],
        OWNER,
        ChatCommand::OpenDirectMessage { with: user(OWNER) },
    )
    .unwrap();
    assert_eq!(
        notes_to_self,
        vec![E::DirectMessageOpened {
            members: vec![user(OWNER)]
        }]
    );
}

#[test]
fn only_account_admins_delete_a_message() {
    let history = [created(ChannelKind::Public), posted(9)];
    let delete = ChatCommand::DeleteMessage {
        message_id: Uuid::from_u128(9),
    };
    assert_eq!(
        when(&history, OWNER, delete.clone()),
        Err(ChatRejection::MayNotDeleteMessages)
    );
    assert_eq!(
        when(&history, MEMBER, delete.clone()),
        Err(ChatRejection::MayNotDeleteMessages)
    );
    let deleted = when(&history, ACCOUNT_ADMIN, delete.clone()).unwrap();
    assert_eq!(
        deleted,
        vec![E::MessageDeleted {
            message_id: Uuid::from_u128(9),
            deleted_by: user(ACCOUNT_ADMIN)
        }]
    );
    let mut after = history.to_vec();
    after.extend(deleted);
    assert_eq!(when(&after, ACCOUNT_ADMIN, delete), Ok(vec![]));
    assert_eq!(
        when(
            &history,
            ACCOUNT_ADMIN,
            ChatCommand::DeleteMessage {
                message_id: Uuid::from_u128(8)
            }
        ),
        Err(ChatRejection::UnknownMessage {
            message_id: Uuid::from_u128(8)
        })
    );
}

#[test]
fn members_react_once_per_emoji_and_unreact() {
    let history = [created(ChannelKind::Public), posted(9)];
    let react = ChatCommand::React {
        message_id: Uuid::from_u128(9),
        emoji: "🎉".into(),
    };
    let added = when(&history, OWNER, react.clone()).unwrap();
    assert_eq!(added.len(), 1);
    let mut after = history.to_vec();
    after.extend(added);
    assert_eq!(when(&after, OWNER, react.clone()), Ok(vec![]));
    assert_eq!(
        when(&history, OUTSIDER, react),
        Err(ChatRejection::NotAMember)
    );
    let unreact = ChatCommand::Unreact {
        message_id: Uuid::from_u128(9),
        emoji: "🎉".into(),
    };
    assert_eq!(when(&after, OWNER, unreact.clone()).unwrap().len(), 1);
    assert_eq!(when(&history, OWNER, unreact), Ok(vec![]));
    assert!(matches!(
        when(
            &history,
            OWNER,
            ChatCommand::React {
                message_id: Uuid::from_u128(9),
                emoji: "two words".into()
            }
        ),
        Err(ChatRejection::Invalid { field: "emoji", .. })
    ));
    after.push(E::MessageDeleted {
        message_id: Uuid::from_u128(9),
        deleted_by: user(ACCOUNT_ADMIN),
    });
    assert!(matches!(
        when(
            &after,
            MEMBER,
            ChatCommand::React {
                message_id: Uuid::from_u128(9),
                emoji: "👍".into()
            }
        ),
        Err(ChatRejection::MessageDeleted { .. })
    ));
}

#[test]
fn preferences_are_a_members_own_and_a_repeat_changes_nothing() {
    let history = [created(ChannelKind::Public)];
    let set = ChatCommand::SetMemberPreferences {
        level: NotificationLevel::Mentions,
        muted: true,
        personal_note: Some(" call the bank ".into()),
    };
    let events = when(&history, MEMBER, set.clone()).unwrap();
    assert_eq!(
        events,
        vec![E::MemberPreferencesSet {
            user_id: user(MEMBER),
            level: NotificationLevel::Mentions,
            muted: true,
            personal_note: Some("call the bank".into())
        }]
    );
    let mut after = history.to_vec();
    after.extend(events);
    assert_eq!(when(&after, MEMBER, set.clone()), Ok(vec![]));
    assert_eq!(
        when(&history, OUTSIDER, set),
        Err(ChatRejection::NotAMember)
    );
}

#[test]
fn staff_share_every_card_type_and_integrations_only_their_modules_items() {
    let history = [created(ChannelKind::Public)];
    let shared = when(&history, MEMBER, card(CardEntityType::Conversation, None)).unwrap();
    assert!(
        matches!(&shared[0], E::CardShared { description: None, text: Some(text), .. } if text == "look at this")
    );
    // A deal shows what its registered item says: no description needed.
    let deal_card = when(&history, MEMBER, card(CardEntityType::Deal, None)).unwrap();
    assert!(matches!(
        &deal_card[0],
        E::CardShared {
            description: None,
            ..
        }
    ));
    assert_eq!(
        when(&history, INTEGRATION, card(CardEntityType::Contact, None)),
        Err(ChatRejection::CardBuiltByCaselog {
            entity_type: CardEntityType::Contact
        })
    );
    assert!(when(&history, INTEGRATION, card(CardEntityType::Deal, deal())).is_ok());
    assert!(when(&history, INTEGRATION, card(CardEntityType::Deal, None)).is_ok());
    assert!(matches!(
        when(&history, MEMBER, card(CardEntityType::Conversation, deal())),
        Err(ChatRejection::Invalid { field: "title", .. })
    ));
}

#[test]
fn a_card_lands_where_its_sharer_may_post() {
    let announcement = [created(ChannelKind::Announcement)];
    assert_eq!(
        when(
            &announcement,
            MEMBER,
            card(CardEntityType::Conversation, None)
        ),
        Err(ChatRejection::NotAnAuthor)
    );
    assert_eq!(
        when(
            &[created(ChannelKind::Private)],
            OUTSIDER,
            card(CardEntityType::Contact, None)
        ),
        Err(ChatRejection::NotFound)
    );
    assert!(
        when(
            &announcement,
            INTEGRATION,
            card(CardEntityType::Campaign, deal())
        )
        .is_ok()
    );
}

#[test]
fn read_marks_need_a_channel_the_reader_may_see() {
    let private = Channel::from_history(&[created(ChannelKind::Private)]);
    let read = |by| {
        decide_reading(
            as_user(by),
            Some(&private),
            ReadingCommand::MarkChannelRead {
                channel_id: Uuid::from_u128(77),
            },
        )
    };
    assert_eq!(
        read(MEMBER),
        Ok(vec![ChatReaderEvent::ChannelRead {
            channel_id: Uuid::from_u128(77)
        }])
    );
    assert_eq!(read(OUTSIDER), Err(ChatRejection::NotFound));
    let ids = vec![Uuid::from_u128(2), Uuid::from_u128(1), Uuid::from_u128(2)];
    assert_eq!(
        decide_reading(
            as_user(MEMBER),
            None,
            ReadingCommand::MarkNotificationsRead { message_ids: ids }
        ),
        Ok(vec![ChatReaderEvent::NotificationsRead {
            message_ids: vec![Uuid::from_u128(1), Uuid::from_u128(2)]
        }])
    );
    assert_eq!(
        decide_reading(
            as_user(MEMBER),
            None,
            ReadingCommand::MarkNotificationsRead {
                message_ids: vec![]
            }
        ),
        Err(ChatRejection::Blank { field: "ids" })
    );
}
