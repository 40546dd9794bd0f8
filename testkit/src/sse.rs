//! A server-sent-events reader for the live streams: one event at a time, each with
//! its name, id and JSON data.

use std::time::Duration;

use serde_json::Value;

/// One event of a stream.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<i64>,
    pub data: Value,
}

/// An open stream.
pub struct EventStream {
    response: reqwest::Response,
    received: String,
}

impl EventStream {
    pub fn new(response: reqwest::Response) -> Self {
        Self {
            response,
            received: String::new(),
        }
    }

    /// The next event with data (keep-alive comments skipped), or `None` when none
    /// comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.received.find("\n\n") {
                let block: String = self.received.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("the stream reads")
                .expect("the stream stays open");
            self.received.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event, which must come within 10 s.
    pub async fn next(&mut self) -> SseEvent {
        self.next_within(Duration::from_secs(10))
            .await
            .expect("an event within 10 s")
    }
}

fn parse(block: &str) -> Option<SseEvent> {
    let field = |name: &str| {
        block
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim_start)
    };
    let data = field("data:")?;
    Some(SseEvent {
        event: field("event:").unwrap_or("message").to_owned(),
        id: field("id:").and_then(|id| id.parse().ok()),
        data: serde_json::from_str(data).expect("JSON data"),
    })
}
