//! One user talking to the stack over HTTP, and the answers it gets. Every session of
//! a stack shares the newest position any command returned, and sends it as
//! `X-Min-Position` on reads: a test reads its own writes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use caselog_platform::settings::LOCAL_JWT_SECRET;
use caselog_platform::token;
use caselog_schemas::Role;

use crate::services::ServiceProcess;

/// An HTTP answer: status and JSON body (`Null` when there is none).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    /// The `type` of a problem answer.
    pub fn problem_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    /// A string field of the body (an id the command answered with, say).
    pub fn field(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("{name} in {} {}", self.status, self.body))
            .to_owned()
    }

    pub fn items(&self) -> &Vec<Value> {
        self.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("a list answer, got {} {}", self.status, self.body))
    }

    /// The ids of a list's items.
    pub fn ids(&self) -> Vec<String> {
        self.items()
            .iter()
            .map(|item| item["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Panics with the body unless the status is 2xx.
    pub fn ok(self) -> Self {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        self
    }
}

/// One user talking to the stack.
#[derive(Clone)]
pub struct Session {
    http: reqwest::Client,
    pub token: String,
    command_url: String,
    query_url: String,
    newest_position: Arc<AtomicI64>,
    pub user: Uuid,
    pub tenant: Uuid,
}

impl Session {
    /// A session for `user` of `tenant` with `role` against services at these URLs.
    pub fn connect(
        http: reqwest::Client,
        command_url: &str,
        query_url: &str,
        tenant: Uuid,
        user: Uuid,
        role: Role,
    ) -> Self {
        Session {
            http,
            token: token::mint(
                LOCAL_JWT_SECRET,
                user,
                tenant,
                role,
                chrono::Duration::hours(1),
            ),
            command_url: command_url.to_owned(),
            query_url: query_url.to_owned(),
            newest_position: Arc::new(AtomicI64::new(0)),
            user,
            tenant,
        }
    }

    /// This session, sharing the newest position with every other session of a stack.
    pub fn sharing_positions(self, newest_position: &Arc<AtomicI64>) -> Self {
        Self {
            newest_position: newest_position.clone(),
            ..self
        }
    }

    /// The command service this session sends commands to.
    pub fn command_url(&self) -> &str {
        &self.command_url
    }

    /// The same user, sending commands to another command service.
    pub fn through(&self, command_service: &ServiceProcess) -> Session {
        Session {
            command_url: command_service.base_url.clone(),
            ..self.clone()
        }
    }

    /// Sends a command; remembers the position it reached.
    pub async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.command_url))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = send(request).await;
        if let Some(position) = reply.body["position"].as_i64() {
            self.newest_position.fetch_max(position, Ordering::SeqCst);
        }
        reply
    }

    /// Registers `user` as a user of the tenant with `role` (this session must be an
    /// owner or admin).
    pub async fn register(&self, user: &Session, role: &str) {
        self.put(
            &format!("/v1/users/{}", user.user),
            serde_json::json!({
                "name": format!("{role} user"),
                "email": format!("{}@example.com", user.user),
                "role": role,
            }),
        )
        .await
        .ok();
    }

    /// Creates a contact with `name` and returns its id.
    pub async fn new_contact(&self, name: &str) -> Uuid {
        let contact = Uuid::now_v7();
        self.put(
            &format!("/v1/contacts/{contact}"),
            serde_json::json!({"name": name}),
        )
        .await
        .ok();
        contact
    }

    /// Creates a chat channel of `kind` with `members` besides this user; returns its id.
    pub async fn new_channel(&self, name: &str, kind: &str, members: &[Uuid]) -> String {
        self.post(
            "/v1/chat/channels",
            serde_json::json!({"name": name, "kind": kind, "members": members}),
        )
        .await
        .ok()
        .field("stream_id")
    }

    /// Posts `text` in a chat channel.
    pub async fn say(&self, channel: &str, text: impl AsRef<str>) -> Reply {
        self.post(
            &format!("/v1/chat/channels/{channel}/messages"),
            serde_json::json!({"text": text.as_ref()}),
        )
        .await
    }

    /// Delivers a customer's message (as a channel gateway) and returns the id of the
    /// conversation it landed in.
    pub async fn inbound(&self, contact: Uuid, channel: &str, text: &str) -> String {
        let reply = self
            .post(
                "/v1/inbound-messages",
                serde_json::json!({"contact_id": contact, "channel": channel, "text": text}),
            )
            .await
            .ok();
        reply.body["stream_id"]
            .as_str()
            .expect("a conversation id")
            .to_owned()
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.command(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.command(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.command(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.command(Method::DELETE, path, None).await
    }

    /// DELETE with a body (removing a reaction names the emoji).
    pub async fn delete_with(&self, path: &str, body: Value) -> Reply {
        self.command(Method::DELETE, path, Some(body)).await
    }

    /// Makes this session's later reads wait for everything `others` wrote too.
    pub fn after(&self, others: &[&Session]) -> &Self {
        for other in others {
            self.observe(other.newest_position());
        }
        self
    }

    /// Reads raw bytes (a PDF, say): status, content type and body.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", self.query_url))
            .bearer_auth(&self.token)
            .header(
                "X-Min-Position",
                self.newest_position.load(Ordering::SeqCst).to_string(),
            )
            .send()
            .await
            .expect("the service answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            response.bytes().await.expect("a body").to_vec(),
        )
    }

    /// Makes later reads wait for `position` too (an event appended around the API).
    pub fn observe(&self, position: i64) {
        self.newest_position.fetch_max(position, Ordering::SeqCst);
    }

    /// The newest log position this session's commands reached.
    pub fn newest_position(&self) -> i64 {
        self.newest_position.load(Ordering::SeqCst)
    }

    /// Opens a server-sent-events stream of the query service: its status and, for a
    /// refusal, its problem; a stream that opens is closed at once.
    pub async fn open_stream(&self, path: &str) -> Reply {
        let response = self
            .http
            .get(format!("{}{path}", self.query_url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the service answers");
        if response.status().is_success() {
            return Reply {
                status: response.status().as_u16(),
                body: Value::Null,
                headers: response.headers().clone(),
            };
        }
        send_response(response).await
    }

    /// Opens a live stream of the query service (resuming after `last_event_id`).
    pub async fn subscribe(
        &self,
        path: &str,
        last_event_id: Option<i64>,
    ) -> crate::sse::EventStream {
        let mut request = self
            .http
            .get(format!("{}{path}", self.query_url))
            .bearer_auth(&self.token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.expect("the service answers");
        assert_eq!(response.status(), 200, "{path} opens");
        crate::sse::EventStream::new(response)
    }

    /// Asks the query service to start something (a bulk export): a request with a
    /// body that appends nothing but the record of who asked.
    pub async fn query_post(&self, path: &str, body: Value) -> Reply {
        let request = self
            .http
            .post(format!("{}{path}", self.query_url))
            .bearer_auth(&self.token)
            .json(&body);
        send(request).await
    }

    /// Reads from the query service once it has applied every command sent so far.
    pub async fn get(&self, path: &str) -> Reply {
        let request = self
            .http
            .get(format!("{}{path}", self.query_url))
            .bearer_auth(&self.token)
            .header(
                "X-Min-Position",
                self.newest_position.load(Ordering::SeqCst).to_string(),
            );
        send(request).await
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    send_response(request.send().await.expect("the service answers")).await
}

async fn send_response(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Reply {
        status,
        body,
        headers,
    }
}
