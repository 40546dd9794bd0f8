//! The command mix of a support team's day, as one client sends it: customers' inbound
//! messages, agents' replies, assignments, internal messages, private notes, resolving
//! and closing, and posts in the team chat.
//!
//! Each client works its own customers (so clients rarely race on one conversation,
//! as agents rarely do) but shares its tenant's chat channel with the tenant's other
//! clients. It keeps just enough state (each customer's conversation and whether it
//! is open) to send commands the domain accepts: a refusal would measure the wrong path.

use std::time::Instant;

use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::json;
use uuid::Uuid;

use caselog_testkit::stack::Reply;

use crate::team::Team;

/// Weights out of 100.
const MIX: [(Kind, u32); 8] = [
    (Kind::Inbound, 30),
    (Kind::Reply, 20),
    (Kind::Assign, 8),
    (Kind::InternalMessage, 8),
    (Kind::Note, 8),
    (Kind::Resolve, 8),
    (Kind::Close, 6),
    (Kind::ChatPost, 12),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Inbound,
    Reply,
    Assign,
    InternalMessage,
    Note,
    Resolve,
    Close,
    ChatPost,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Resolved,
    Closed,
}

struct Customer {
    contact: Uuid,
    conversation: Option<(String, Status)>,
}

/// One command's outcome: what it was, when it was answered, the log position it
/// reached (0 when it appended nothing), and whether it succeeded.
pub struct Sent {
    pub kind: Kind,
    pub micros: u64,
    pub answered: Instant,
    pub position: i64,
    pub ok: bool,
}

pub struct Client {
    team: Team,
    customers: Vec<Customer>,
    rng: SmallRng,
}

impl Client {
    /// A client with `customers` contacts of its own in `team`.
    pub async fn new(team: Team, customers: usize, seed: u64) -> anyhow::Result<Self> {
        let mut list = Vec::with_capacity(customers);
        for index in 0..customers {
            let contact = team
                .new_contact(&format!("Customer {seed}-{index}"))
                .await?;
            list.push(Customer {
                contact,
                conversation: None,
            });
        }
        Ok(Self {
            team,
            customers: list,
            rng: rand::SeedableRng::seed_from_u64(seed),
        })
    }

    /// Sends the next command of the mix and waits for its answer.
    pub async fn send_next(&mut self) -> Sent {
        let kind = self.pick_kind();
        let started = Instant::now();
        let (reply, kind) = self.send(kind).await;
        let answered = Instant::now();
        let ok = (200..300).contains(&reply.status);
        if !ok {
            tracing::warn!(?kind, status = reply.status, body = %reply.body, "command refused");
        }
        Sent {
            kind,
            micros: (answered - started).as_micros().max(1) as u64,
            answered,
            position: reply.body["position"].as_i64().unwrap_or(0),
            ok,
        }
    }

    fn pick_kind(&mut self) -> Kind {
        let mut roll = self.rng.random_range(0..100);
        for (kind, weight) in MIX {
            if roll < weight {
                return kind;
            }
            roll -= weight;
        }
        Kind::Inbound
    }

    /// A customer whose conversation is in `status`, if any.
    fn customer_in(&mut self, status: Status) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.customers.len())
            .filter(|&i| matches!(&self.customers[i].conversation, Some((_, s)) if *s == status))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        Some(candidates[self.rng.random_range(0..candidates.len())])
    }

    fn agent(&mut self) -> usize {
        self.rng.random_range(0..self.team.agents.len())
    }

    async fn send(&mut self, kind: Kind) -> (Reply, Kind) {
        let needs = match kind {
            Kind::Inbound | Kind::ChatPost => None,
            Kind::Close => Some(Status::Resolved),
            _ => Some(Status::Open),
        };
        let customer = match needs {
            None => None,
            Some(status) => match self.customer_in(status) {
                Some(customer) => Some(customer),
                // Nothing in that state yet: a customer writes instead.
                None => return (self.inbound().await, Kind::Inbound),
            },
        };
        let conversation = customer
            .and_then(|c| self.customers[c].conversation.as_ref())
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        let path = format!("/v1/conversations/{conversation}");
        let agent = self.agent();
        let text = LINES[self.rng.random_range(0..LINES.len())];
        let reply = match kind {
            Kind::Inbound => self.inbound().await,
            Kind::Reply => {
                self.team.agents[agent]
                    .post(&format!("{path}/messages"), json!({"text": text}))
                    .await
            }
            Kind::Assign => {
                let assignee = self.team.agents[agent].user;
                self.team
                    .admin
                    .post(&format!("{path}/assign"), json!({"assignees": [assignee]}))
                    .await
            }
            Kind::InternalMessage => {
                let to = self.team.agents[agent].user;
                self.team
                    .admin
                    .post(
                        &format!("{path}/internal-messages"),
                        json!({"to": to, "text": text}),
                    )
                    .await
            }
            Kind::Note => {
                self.team.agents[agent]
                    .post(&format!("{path}/notes"), json!({"text": text}))
                    .await
            }
            Kind::Resolve | Kind::Close => {
                let action = if kind == Kind::Resolve {
                    "resolve"
                } else {
                    "close"
                };
                let reply = self
                    .team
                    .admin
                    .post(&format!("{path}/{action}"), json!({}))
                    .await;
                if (200..300).contains(&reply.status)
                    && let Some(c) = customer
                    && let Some((_, status)) = &mut self.customers[c].conversation
                {
                    *status = if kind == Kind::Resolve {
                        Status::Resolved
                    } else {
                        Status::Closed
                    };
                }
                reply
            }
            Kind::ChatPost => {
                self.team.agents[agent]
                    .post(
                        &format!("/v1/chat/channels/{}/messages", self.team.channel),
                        json!({"text": text}),
                    )
                    .await
            }
        };
        (reply, kind)
    }

    /// A customer writes: to their open or resolved conversation (which reopens), or,
    /// after a close, into a new one.
    async fn inbound(&mut self) -> Reply {
        let c = self.rng.random_range(0..self.customers.len());
        let channel = CHANNELS[self.rng.random_range(0..CHANNELS.len())];
        let text = LINES[self.rng.random_range(0..LINES.len())];
        let reply = self
            .team
            .gateway
            .post(
                "/v1/inbound-messages",
                json!({"contact_id": self.customers[c].contact, "channel": channel, "text": text}),
            )
            .await;
        if (200..300).contains(&reply.status)
            && let Some(id) = reply.body["stream_id"].as_str()
        {
            self.customers[c].conversation = Some((id.to_owned(), Status::Open));
        }
        reply
    }
}

const CHANNELS: [&str; 4] = ["whatsapp", "sms", "webchat", "email"];

/// Message texts of realistic length (a support message is a sentence or three).
pub const LINES: [&str; 6] = [
    "Hello, I ordered a blue jacket last week and it has not arrived yet. Could you check?",
    "Thanks for waiting! The parcel left our depot this morning; tracking updates tonight.",
    "Can I change the delivery address to my office? It is on the same street, number 42.",
    "Refund approved: you will see it on your card within 3 to 5 working days.",
    "Customer says the size is wrong, wants an exchange, not a refund. Can you take it?",
    "Sure, I will follow up with the warehouse and get back to you before noon.",
];
