//! What a channel's history adds up to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use caselog_schemas::UserId;
use caselog_schemas::events::{
    ChannelAvatar, ChannelKind, ChannelRole, ChatChannelEvent as E, NotificationLevel,
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberPreferences {
    pub level: NotificationLevel,
    pub muted: bool,
    pub personal_note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostedMessage {
    pub author: Option<UserId>,
    pub deleted: bool,
    pub reactions: BTreeSet<(UserId, String)>,
}

/// A channel or a direct message. `kind` is `None` until it is created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    pub kind: Option<ChannelKind>,
    pub name: String,
    pub description: Option<String>,
    pub avatar: Option<ChannelAvatar>,
    pub owner: Option<UserId>,
    pub members: BTreeMap<UserId, ChannelRole>,
    pub authors: BTreeSet<UserId>,
    pub messages: HashMap<Uuid, PostedMessage>,
    pub preferences: HashMap<UserId, MemberPreferences>,
}

impl Channel {
    pub fn exists(&self) -> bool {
        self.kind.is_some()
    }

    pub fn is_member(&self, user: UserId) -> bool {
        self.members.contains_key(&user)
    }

    pub fn role_of(&self, user: UserId) -> Option<ChannelRole> {
        self.members.get(&user).copied()
    }

    /// Folds one event into the channel.
    pub fn evolve(mut self, event: &E) -> Self {
        match event {
            E::ChannelCreated {
                kind,
                name,
                description,
                avatar,
                owner,
                members,
                authors,
            } => {
                self.kind = Some(*kind);
                self.name = name.clone();
                self.description = description.clone();
                self.avatar = avatar.clone();
                self.owner = Some(*owner);
                self.members.insert(*owner, ChannelRole::Owner);
                for member in members {
                    self.members.entry(*member).or_insert(ChannelRole::Member);
                }
                self.authors = authors.iter().copied().collect();
            }
            E::ChannelUpdated {
                name,
                description,
                avatar,
            } => {
                self.name = name.clone();
                self.description = description.clone();
                self.avatar = avatar.clone();
            }
            E::MemberJoined { user_id } | E::MemberAdded { user_id, .. } => {
                self.members.entry(*user_id).or_insert(ChannelRole::Member);
            }
            E::MemberRemoved { user_id, .. } => {
                self.members.remove(user_id);
                self.preferences.remove(user_id);
            }
            E::MemberRoleChanged { user_id, role } => {
                if let Some(current) = self.members.get_mut(user_id) {
                    *current = *role;
                }
            }
            E::AnnouncementAuthorsSet { authors } => {
                self.authors = authors.iter().copied().collect();
            }
            E::DirectMessageOpened { members } => {
                self.kind = Some(ChannelKind::Direct);
                for member in members {
                    self.members.insert(*member, ChannelRole::Member);
                }
            }
            E::MessagePosted { .. }
            | E::CardShared { .. }
            | E::MessageDeleted { .. }
            | E::ReactionAdded { .. }
            | E::ReactionRemoved { .. } => self.evolve_messages(event),
            E::MemberPreferencesSet {
                user_id,
                level,
                muted,
                personal_note,
            } => {
                self.preferences.insert(
                    *user_id,
                    MemberPreferences {
                        level: *level,
                        muted: *muted,
                        personal_note: personal_note.clone(),
                    },
                );
            }
        }
        self
    }

    /// Folds an event about the channel's messages (`evolve` sends no other here).
    fn evolve_messages(&mut self, event: &E) {
        match event {
            E::MessagePosted {
                message_id, author, ..
            }
            | E::CardShared {
                card_id: message_id,
                author,
                ..
            } => {
                self.messages.insert(
                    *message_id,
                    PostedMessage {
                        author: Some(*author),
                        ..PostedMessage::default()
                    },
                );
            }
            E::MessageDeleted { message_id, .. } => {
                if let Some(message) = self.messages.get_mut(message_id) {
                    message.deleted = true;
                    message.reactions.clear();
                }
            }
            E::ReactionAdded {
                message_id,
                user_id,
                emoji,
            } => {
                if let Some(message) = self.messages.get_mut(message_id) {
                    message.reactions.insert((*user_id, emoji.clone()));
                }
            }
            E::ReactionRemoved {
                message_id,
                user_id,
                emoji,
            } => {
                if let Some(message) = self.messages.get_mut(message_id) {
                    message.reactions.remove(&(*user_id, emoji.clone()));
                }
            }
            other => unreachable!("not a message event: {other:?}"),
        }
    }

    pub fn from_history<'a>(events: impl IntoIterator<Item = &'a E>) -> Self {
        events.into_iter().fold(Channel::default(), Channel::evolve)
    }
}
