//! The role table (command-service/src/http/roles.rs), as one table here: every route is called by every role;
//! a role the table does not allow gets 403 and appends nothing, a role it allows is
//! never refused for its role.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use caselog_schemas::Role;
use caselog_testkit::stack::{Session, Stack};

const OWNER: Role = Role::Owner;
const ADMIN: Role = Role::Admin;
const SUPERVISOR: Role = Role::Supervisor;
const AGENT: Role = Role::Agent;
const AUDITOR: Role = Role::Auditor;
const INTEGRATION: Role = Role::Integration;
const STAFF: &[Role] = &[OWNER, ADMIN, SUPERVISOR, AGENT];
const ACCOUNT_ADMINS: &[Role] = &[OWNER, ADMIN];
const READERS: &[Role] = &[OWNER, ADMIN, SUPERVISOR, AGENT, AUDITOR];

/// What a route needs filled in: `{c}` a conversation, `{contact}`, `{snippet}`,
/// `{agent}` a user id, `{new}` a fresh id, `{ch}` a public chat channel whose staff
/// members are all channel admins, `{msg}` a message in it.
struct Fixture {
    conversation: Uuid,
    contact: Uuid,
    snippet: Uuid,
    agent: Uuid,
    channel: Uuid,
    message: Uuid,
}

const CHAT_READERS: &[Role] = STAFF;

struct Route {
    method: Method,
    path: &'static str,
    body: Option<fn(&Fixture) -> Value>,
    allowed: &'static [Role],
    /// Served by the query service.
    read: bool,
    /// A server-sent-events stream: only its status is read.
    stream: bool,
}

const fn command(
    method: Method,
    path: &'static str,
    body: Option<fn(&Fixture) -> Value>,
    allowed: &'static [Role],
) -> Route {
    Route {
        method,
        path,
        body,
        allowed,
        read: false,
        stream: false,
    }
}

const fn read(path: &'static str) -> Route {
    read_by(path, READERS)
}

const fn read_by(path: &'static str, allowed: &'static [Role]) -> Route {
    Route {
        method: Method::GET,
        path,
        body: None,
        allowed,
        read: true,
        stream: false,
    }
}

const fn read_stream(path: &'static str) -> Route {
    read_stream_by(path, READERS)
}

const fn read_stream_by(path: &'static str, allowed: &'static [Role]) -> Route {
    Route {
        method: Method::GET,
        path,
        body: None,
        allowed,
        read: true,
        stream: true,
    }
}

fn empty(_: &Fixture) -> Value {
    json!({})
}

fn routes() -> Vec<Route> {
    [
        directory_routes(),
        conversation_routes(),
        chat_routes(),
        read_routes(),
        webhook_routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Webhook endpoints and their deliveries (configuration beside the log).
fn webhook_routes() -> Vec<Route> {
    vec![
        command(
            Method::POST,
            "/v1/webhooks",
            Some(|_| json!({"url": "http://127.0.0.1:9/hook", "event_types": ["ContactUpserted"]})),
            ACCOUNT_ADMINS,
        ),
        command(Method::GET, "/v1/webhooks", None, ACCOUNT_ADMINS),
        command(Method::GET, "/v1/webhooks/{new}", None, ACCOUNT_ADMINS),
        command(Method::DELETE, "/v1/webhooks/{new}", None, ACCOUNT_ADMINS),
        command(
            Method::GET,
            "/v1/webhooks/{new}/deliveries",
            None,
            ACCOUNT_ADMINS,
        ),
        command(
            Method::POST,
            "/v1/webhooks/{new}/deliveries/{new}/retry",
            None,
            ACCOUNT_ADMINS,
        ),
    ]
}

/// Users, groups, contacts, settings, snippets.
fn directory_routes() -> Vec<Route> {
    vec![
        command(
            Method::PUT,
            "/v1/users/{new}",
            Some(|_| json!({"name": "U", "email": "u@example.com", "role": "agent"})),
            ACCOUNT_ADMINS,
        ),
        // An unknown id: the allowed roles get 404, the others 403 first.
        command(Method::DELETE, "/v1/users/{new}", None, ACCOUNT_ADMINS),
        command(
            Method::POST,
            "/v1/contacts/{new}/erase",
            None,
            ACCOUNT_ADMINS,
        ),
        command(
            Method::PUT,
            "/v1/groups/{new}",
            Some(|_| json!({"name": "G"})),
            ACCOUNT_ADMINS,
        ),
        command(
            Method::PUT,
            "/v1/contacts/{new}",
            Some(|_| json!({"name": "C"})),
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::PUT,
            "/v1/settings",
            Some(|_| {
                json!({"auto_close_minutes": 30, "require_accept": false,
                       "internal_chat_enabled": true})
            }),
            ACCOUNT_ADMINS,
        ),
        command(
            Method::PATCH,
            "/v1/settings",
            Some(|_| json!({"auto_close_minutes": 20})),
            ACCOUNT_ADMINS,
        ),
        command(
            Method::POST,
            "/v1/snippets",
            Some(|_| json!({"name": "s", "text": "t"})),
            ACCOUNT_ADMINS,
        ),
        command(
            Method::PUT,
            "/v1/files/{new}",
            Some(|_| {
                json!({"name": "price list.pdf", "media_type": "application/pdf",
                       "size_bytes": 1200, "url": "https://files.example/p.pdf"})
            }),
            &[OWNER, ADMIN, SUPERVISOR],
        ),
        command(
            Method::PUT,
            "/v1/files/{new}/content?name=notes.json",
            Some(|_| json!({"note": "uploaded"})),
            &[OWNER, ADMIN, SUPERVISOR],
        ),
        // An unknown file: the allowed roles get 404, the others 403 first.
        command(
            Method::DELETE,
            "/v1/files/{new}",
            None,
            &[OWNER, ADMIN, SUPERVISOR],
        ),
        command(
            Method::PUT,
            "/v1/snippets/{snippet}",
            Some(|_| json!({"name": "s2", "text": "t2"})),
            ACCOUNT_ADMINS,
        ),
        command(
            Method::DELETE,
            "/v1/snippets/{snippet}",
            None,
            ACCOUNT_ADMINS,
        ),
    ]
}

/// The support inbox's commands.
fn conversation_routes() -> Vec<Route> {
    [
        conversation_message_routes(),
        conversation_workflow_routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Messages, notes and internal messages.
fn conversation_message_routes() -> Vec<Route> {
    vec![
        command(
            Method::POST,
            "/v1/inbound-messages",
            Some(|f| json!({"contact_id": f.contact, "channel": "sms", "text": "hi"})),
            &[INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations",
            Some(|f| json!({"contact_id": f.contact, "channel": "email", "text": "hello"})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/messages",
            Some(|_| json!({"text": "reply"})),
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/handoff",
            Some(|_| json!({"reason": "asked for a human"})),
            &[INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/bot/enable",
            None,
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/bot/disable",
            None,
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/notes",
            Some(|_| json!({"text": "note"})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/internal-messages",
            Some(|f| json!({"to": f.agent, "text": "look"})),
            STAFF,
        ),
        // An unknown message: the allowed roles get 404, the others 403 first.
        command(
            Method::POST,
            "/v1/conversations/{c}/internal-messages/{new}/read",
            Some(empty),
            STAFF,
        ),
        command(
            Method::DELETE,
            "/v1/conversations/{c}/internal-messages/{new}",
            None,
            ACCOUNT_ADMINS,
        ),
    ]
}

/// Assignment, visibility, status, invoices, rating, topic.
fn conversation_workflow_routes() -> Vec<Route> {
    vec![
        command(
            Method::POST,
            "/v1/conversations/{c}/assign",
            Some(|f| json!({"assignees": [f.agent]})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/visibility",
            Some(|_| json!({"visible_to": null})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/accept",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/reject",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/leave",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/read",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/resolve",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/close",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/reopen",
            Some(empty),
            STAFF,
        ),
        command(
            Method::DELETE,
            "/v1/conversations/{c}",
            None,
            ACCOUNT_ADMINS,
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/invoices",
            Some(|_| json!({"invoice_id": "INV-2", "amount_minor": 100, "currency": "EUR"})),
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/invoices/INV-1/paid",
            Some(empty),
            &[OWNER, ADMIN, INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/rating",
            Some(|_| json!({"score": 4})),
            &[INTEGRATION],
        ),
        command(
            Method::POST,
            "/v1/conversations/{c}/topic",
            Some(|_| json!({"topic": "billing"})),
            STAFF,
        ),
    ]
}

/// The internal chat's commands.
fn chat_routes() -> Vec<Route> {
    [chat_channel_routes(), chat_message_routes()]
        .into_iter()
        .flatten()
        .collect()
}

/// Channels, members, DMs.
fn chat_channel_routes() -> Vec<Route> {
    vec![
        command(
            Method::POST,
            "/v1/chat/channels",
            Some(|_| json!({"name": "random", "kind": "public"})),
            STAFF,
        ),
        command(
            Method::PATCH,
            "/v1/chat/channels/{ch}",
            Some(|_| json!({"description": "all hands"})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/join",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/members",
            Some(|f| json!({"user_id": f.agent})),
            STAFF,
        ),
        command(
            Method::DELETE,
            "/v1/chat/channels/{ch}/members/{new}",
            None,
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/members/{agent}/role",
            Some(|_| json!({"role": "admin"})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/authors",
            Some(|f| json!({"user_ids": [f.agent]})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/dms",
            Some(|f| json!({"with": f.agent})),
            STAFF,
        ),
    ]
}

/// Messages, reactions, preferences, cards, read marks.
fn chat_message_routes() -> Vec<Route> {
    vec![
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/messages",
            Some(|_| json!({"text": "hello team"})),
            STAFF,
        ),
        command(
            Method::DELETE,
            "/v1/chat/channels/{ch}/messages/{msg}",
            None,
            ACCOUNT_ADMINS,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/messages/{msg}/reactions",
            Some(|_| json!({"emoji": "👍"})),
            STAFF,
        ),
        command(
            Method::DELETE,
            "/v1/chat/channels/{ch}/messages/{msg}/reactions",
            Some(|_| json!({"emoji": "👍"})),
            STAFF,
        ),
        command(
            Method::PUT,
            "/v1/chat/channels/{ch}/preferences",
            Some(|_| json!({"level": "mentions", "muted": false})),
            STAFF,
        ),
        command(
            Method::PUT,
            "/v1/chat/notification-preferences",
            Some(|_| json!({"dm": {"bell": true, "email": true}})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/cards",
            Some(|f| json!({"entity_type": "contact", "entity_id": f.contact})),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/cards",
            Some(|_| json!({"entity_type": "task", "entity_id": "T-1"})),
            &[OWNER, ADMIN, SUPERVISOR, AGENT, INTEGRATION],
        ),
        command(
            Method::PUT,
            "/v1/items/task/T-1",
            Some(|_| json!({"title": "Call back", "url": "https://tasks.test/T-1"})),
            &[INTEGRATION],
        ),
        // An unknown item: the integration gets 404, the others 403 first.
        command(Method::DELETE, "/v1/items/task/T-404", None, &[INTEGRATION]),
        command(
            Method::POST,
            "/v1/chat/channels/{ch}/read",
            Some(empty),
            STAFF,
        ),
        command(
            Method::POST,
            "/v1/chat/notifications/read",
            Some(empty),
            STAFF,
        ),
    ]
}

/// Every read.
fn read_routes() -> Vec<Route> {
    vec![
        read_by("/v1/chat/channels", CHAT_READERS),
        read_by("/v1/chat/channels/{ch}", CHAT_READERS),
        read_by("/v1/chat/channels/{ch}/messages", CHAT_READERS),
        read_by("/v1/chat/channels/{ch}/members", CHAT_READERS),
        read_by("/v1/chat/notifications", CHAT_READERS),
        read_by("/v1/chat/notification-preferences", CHAT_READERS),
        read("/v1/inbox/team"),
        read("/v1/inbox/mine"),
        read_by("/v1/queue", &[OWNER, ADMIN, SUPERVISOR]),
        read("/v1/dashboard"),
        read("/v1/conversations/{c}"),
        read("/v1/conversations/{c}/history"),
        read("/v1/conversations/{c}/internal-messages"),
        read("/v1/internal-messages"),
        read("/v1/conversations/{c}/verify"),
        read("/v1/conversations/{c}/export.pdf"),
        read_by("/v1/events", &[AUDITOR]),
        read_by("/v1/audit/verify", &[AUDITOR]),
        read_by("/v1/audit/checkpoint-keys", &[AUDITOR]),
        read_by("/v1/audit/access", &[AUDITOR]),
        Route {
            method: Method::POST,
            path: "/v1/exports",
            body: Some(|_| json!({"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"})),
            allowed: &[AUDITOR],
            read: true,
            stream: false,
        },
        read_by("/v1/exports/{new}", &[AUDITOR]),
        read_by("/v1/exports/{new}/download", &[AUDITOR]),
        // An unknown card: the allowed roles get 404, the others 403 first.
        read_by("/v1/chat/cards/{new}", CHAT_READERS),
        read_stream("/v1/dashboard/stream"),
        read_stream("/v1/inbox/stream"),
        read_stream_by("/v1/chat/stream", CHAT_READERS),
        read("/v1/contacts/{contact}"),
        read("/v1/contacts"),
        read("/v1/snippets"),
        read("/v1/files"),
        read("/v1/files/{new}/content"),
        read("/v1/users"),
        read("/v1/settings"),
    ]
}

fn fill(path: &str, fixture: &Fixture) -> String {
    path.replace("{c}", &fixture.conversation.to_string())
        .replace("{contact}", &fixture.contact.to_string())
        .replace("{snippet}", &fixture.snippet.to_string())
        .replace("{new}", &Uuid::now_v7().to_string())
        .replace("{agent}", &fixture.agent.to_string())
        .replace("{ch}", &fixture.channel.to_string())
        .replace("{msg}", &fixture.message.to_string())
}

/// A conversation with every staff member assigned and an unpaid invoice INV-1.
async fn fixture(sessions: &[(Role, Session)], contact: Uuid, snippet: Uuid) -> Fixture {
    let session = |role: Role| &sessions.iter().find(|(r, _)| *r == role).unwrap().1;
    let started = session(INTEGRATION)
        .post(
            "/v1/inbound-messages",
            json!({"contact_id": contact, "channel": "whatsapp", "text": "hello"}),
        )
        .await
        .ok();
    let conversation: Uuid = started.body["stream_id"].as_str().unwrap().parse().unwrap();
    let staff: Vec<Uuid> = STAFF.iter().map(|role| session(*role).user).collect();
    session(OWNER)
        .post(
            &format!("/v1/conversations/{conversation}/assign"),
            json!({"assignees": staff}),
        )
        .await
        .ok();
    session(INTEGRATION)
        .post(
            &format!("/v1/conversations/{conversation}/invoices"),
            json!({"invoice_id": "INV-1", "amount_minor": 500, "currency": "EUR"}),
        )
        .await
        .ok();
    let others: Vec<Uuid> = [ADMIN, SUPERVISOR, AGENT]
        .iter()
        .map(|role| session(*role).user)
        .collect();
    let channel = Uuid::now_v7();
    session(OWNER)
        .post(
            "/v1/chat/channels",
            json!({"id": channel, "name": "general", "kind": "public", "members": others}),
        )
        .await
        .ok();
    for user in &others {
        session(OWNER)
            .post(
                &format!("/v1/chat/channels/{channel}/members/{user}/role"),
                json!({"role": "admin"}),
            )
            .await
            .ok();
    }
    let posted = session(OWNER)
        .post(
            &format!("/v1/chat/channels/{channel}/messages"),
            json!({"text": "welcome"}),
        )
        .await
        .ok();
    Fixture {
        conversation,
        contact,
        snippet,
        agent: session(AGENT).user,
        channel,
        message: posted.body["id"].as_str().unwrap().parse().unwrap(),
    }
}

#[tokio::test]
async fn every_route_refuses_the_roles_the_table_does_not_allow_and_only_those() {
    let stack = Stack::start().await;
    let tenant = Uuid::now_v7();
    let sessions: Vec<(Role, Session)> = Role::ALL
        .iter()
        .map(|role| (*role, stack.session(tenant, Uuid::now_v7(), *role)))
        .collect();
    let owner = &sessions[0].1;
    for (role, session) in &sessions {
        owner
            .put(
                &format!("/v1/users/{}", session.user),
                json!({"name": role.as_str(), "email": format!("{}@example.com", role.as_str()), "role": role.as_str()}),
            )
            .await
            .ok();
    }

    for route in routes() {
        let contact = owner.new_contact("Maria").await;
        let snippet = Uuid::now_v7();
        owner
            .post(
                "/v1/snippets",
                json!({"id": snippet, "name": "s", "text": "t"}),
            )
            .await
            .ok();
        let fixture = fixture(&sessions, contact, snippet).await;
        // Refused roles first, so the allowed ones cannot have changed what they see.
        let mut ordered: Vec<&(Role, Session)> = sessions.iter().collect();
        ordered.sort_by_key(|(role, _)| route.allowed.contains(role));
        for (role, session) in ordered {
            let path = fill(route.path, &fixture);
            let before = stack.log_length().await;
            let reply = if route.stream {
                session.open_stream(&path).await
            } else if route.read && route.method == Method::POST {
                let body = route.body.map_or(Value::Null, |body| body(&fixture));
                session.query_post(&path, body).await
            } else if route.read {
                session.get(&path).await
            } else {
                session
                    .command(
                        route.method.clone(),
                        &path,
                        route.body.map(|body| body(&fixture)),
                    )
                    .await
            };
            let what = format!("{} {} as {}", route.method, route.path, role.as_str());
            if route.allowed.contains(role) {
                assert!(
                    ![401, 403].contains(&reply.status) && reply.status < 500,
                    "{what} is allowed, got {} {}",
                    reply.status,
                    reply.body
                );
            } else {
                assert_eq!(
                    (reply.status, reply.problem_type()),
                    (403, "caselog:forbidden"),
                    "{what} is not allowed: {}",
                    reply.body
                );
                assert_eq!(stack.log_length().await, before, "{what} wrote nothing");
            }
        }
    }
    stack.stop().await;
}

/// docs/api.md lists every route of the command and query services' OpenAPI documents
/// with the roles this table allows, and nothing else. `CASELOG_WRITE_DOCS=1` rewrites
/// its table.
#[tokio::test]
async fn the_api_reference_lists_every_route_with_the_roles_that_may_call_it() {
    let stack = Stack::start().await;
    let mut documented = Vec::new();
    for (service, base_url) in [
        ("command", &stack.command.base_url),
        ("query", &stack.query.base_url),
    ] {
        let document: Value = stack
            .http
            .get(format!("{base_url}/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                // The probes and /v1/relay take no token: no role to list.
                let open = operation["security"]
                    .as_array()
                    .is_some_and(|schemes| schemes.iter().all(|scheme| scheme == &json!({})));
                if open {
                    continue;
                }
                let summary = operation["summary"].as_str().unwrap_or_default();
                let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
                documented.push((service, method.to_uppercase(), path.clone(), summary));
            }
        }
    }
    let table = routes();
    let mut rows = Vec::new();
    let missing: Vec<String> = documented
        .iter()
        .filter(|(_, method, path, _)| {
            !table
                .iter()
                .any(|route| route.method.as_str() == method && fills(path, route.path))
        })
        .map(|(service, method, path, _)| format!("{method} {path} ({service})"))
        .collect();
    assert!(missing.is_empty(), "not in the role table: {missing:#?}");
    for (service, method, path, summary) in &documented {
        let allowed: Vec<&Route> = table
            .iter()
            .filter(|route| route.method.as_str() == method && fills(path, route.path))
            .collect();
        let roles: Vec<&str> = allowed[0]
            .allowed
            .iter()
            .map(|role| role.as_str())
            .collect();
        rows.push(format!(
            "| {service} | `{method} {path}` | {} | {summary} |",
            roles.join(", ")
        ));
    }
    for route in &table {
        assert!(
            documented
                .iter()
                .any(|(_, method, path, _)| route.method.as_str() == method
                    && fills(path, route.path)),
            "{} {} is in the role table but in no OpenAPI document",
            route.method,
            route.path
        );
    }
    rows.sort();
    let generated = format!(
        "<!-- routes:begin -->\n| service | route | roles | what |\n|---|---|---|---|\n{}\n<!-- routes:end -->",
        rows.join("\n")
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md");
    let text = std::fs::read_to_string(path).unwrap();
    let begin = text.find("<!-- routes:begin -->").unwrap();
    let end = text.find("<!-- routes:end -->").unwrap() + "<!-- routes:end -->".len();
    if std::env::var_os("CASELOG_WRITE_DOCS").is_some() {
        std::fs::write(
            path,
            format!("{}{generated}{}", &text[..begin], &text[end..]),
        )
        .unwrap();
    } else {
        assert_eq!(
            &text[begin..end],
            generated,
            "docs/api.md is stale: CASELOG_WRITE_DOCS=1 deploy/dev test -E 'test(api_reference)'"
        );
    }
    stack.stop().await;
}

/// Whether the OpenAPI path `template` (`/v1/users/{id}`) matches the table's `path`
/// (`/v1/users/{new}`, `/v1/inbox/team?status=open`): a `{…}` segment matches any one.
fn fills(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t.starts_with('{') || p.starts_with('{') || t == p)
}
