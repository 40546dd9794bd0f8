//! What a message carries, and where it travelled.

use serde::{Deserialize, Serialize};

/// The channel a message travelled on. One conversation may span several.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Webchat,
    Whatsapp,
    Sms,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Webchat,
        Channel::Whatsapp,
        Channel::Sms,
        Channel::Email,
    ];

    /// The name it is stored, filtered and published under.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webchat => "webchat",
            Channel::Whatsapp => "whatsapp",
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// Who wrote an outbound message.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SenderKind {
    /// A human agent: the only kind that counts as a reply for "unreplied".
    Agent,
    /// An AI agent.
    Bot,
    /// The auto-responder.
    AutoReply,
    System,
}

impl SenderKind {
    pub fn is_human(self) -> bool {
        self == SenderKind::Agent
    }
}

/// A file sent with a message: a reference, never the bytes.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, utoipa::ToSchema,
)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub size_bytes: u64,
    pub url: String,
}

/// A voice message: an audio reference and its length.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, utoipa::ToSchema,
)]
pub struct Voice {
    pub url: String,
    pub media_type: String,
    pub duration_seconds: u32,
}

/// The content of a message: text (emoji included), attachments, a voice message, or a mix.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    utoipa::ToSchema,
)]
pub struct MessageContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<Voice>,
}

impl MessageContent {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// True when there is nothing to deliver.
    pub fn is_empty(&self) -> bool {
        self.text
            .as_deref()
            .is_none_or(|text| text.trim().is_empty())
            && self.attachments.is_empty()
            && self.voice.is_none()
    }
}
