//! One tenant's support team, set up through the command API as a customer would: an
//! admin, agents, a channel gateway (integration), a group, settings with the chat on
//! and auto-close off (the benchmark measures the commands it sends, not timers), and
//! a team chat channel everyone is in.

use serde_json::json;
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

pub const AGENTS: usize = 4;

#[derive(Clone)]
pub struct Team {
    pub tenant: Uuid,
    pub admin: Session,
    pub agents: Vec<Session>,
    pub gateway: Session,
    pub group: Uuid,
    /// The team's chat channel (all staff are members).
    pub channel: String,
}

impl Team {
    pub async fn set_up(stack: &Stack) -> anyhow::Result<Self> {
        let tenant = Uuid::now_v7();
        let admin = stack.session(tenant, Uuid::now_v7(), Role::Admin);
        let gateway = stack.session(tenant, Uuid::now_v7(), Role::Integration);
        let agents: Vec<Session> = (0..AGENTS)
            .map(|_| stack.session(tenant, Uuid::now_v7(), Role::Agent))
            .collect();
        let group = Uuid::now_v7();
        expect_ok(
            admin
                .put(&format!("/v1/groups/{group}"), json!({"name": "Support"}))
                .await,
        )?;
        expect_ok(
            admin
                .put(
                    "/v1/settings",
                    json!({"auto_close_minutes": null, "require_accept": false,
                           "internal_chat_enabled": true}),
                )
                .await,
        )?;
        for (session, role) in
            std::iter::once((&admin, "admin")).chain(agents.iter().map(|agent| (agent, "agent")))
        {
            expect_ok(
                admin
                    .put(
                        &format!("/v1/users/{}", session.user),
                        json!({"name": format!("{role} {}", session.user.simple()),
                               "email": format!("{}@example.com", session.user.simple()),
                               "role": role, "groups": [group]}),
                    )
                    .await,
            )?;
        }
        let members: Vec<Uuid> = agents.iter().map(|agent| agent.user).collect();
        let channel = expect_ok(
            admin
                .post(
                    "/v1/chat/channels",
                    json!({"name": "support", "kind": "public", "members": members}),
                )
                .await,
        )?
        .field("stream_id");
        Ok(Self {
            tenant,
            admin,
            agents,
            gateway,
            group,
            channel,
        })
    }

    /// Registers a customer in the team's group; returns the contact id.
    pub async fn new_contact(&self, name: &str) -> anyhow::Result<Uuid> {
        let contact = Uuid::now_v7();
        expect_ok(
            self.admin
                .put(
                    &format!("/v1/contacts/{contact}"),
                    json!({"name": name, "firstname": name, "country": "PT",
                           "group_id": self.group}),
                )
                .await,
        )?;
        Ok(contact)
    }
}

pub fn expect_ok(
    reply: caselog_testkit::stack::Reply,
) -> anyhow::Result<caselog_testkit::stack::Reply> {
    anyhow::ensure!(
        (200..300).contains(&reply.status),
        "setting up a team: {} {}",
        reply.status,
        reply.body
    );
    Ok(reply)
}
