//! A command's 2xx answer: `{stream_id, stream_version, position, events}`,
//! `201` when the command created the stream, else `200`. `id` names what the command
//! created inside the stream (a message, a note, a snippet) when the client did not.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use caselog_schemas::{EventId, Position, StreamId, StreamVersion};

use crate::application::Executed;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommandResponse {
    pub stream_id: StreamId,
    pub stream_version: StreamVersion,
    /// The log position to pass as `X-Min-Position` to read your own write.
    pub position: Position,
    pub events: Vec<EventSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(skip)]
    created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventSummary {
    pub event_id: EventId,
    pub event_type: String,
}

impl CommandResponse {
    pub fn from_executed(executed: Executed) -> Self {
        match executed {
            Executed::Appended(outcome) => Self {
                stream_id: outcome.stream_id,
                stream_version: outcome.stream_version,
                position: outcome.position,
                created: outcome
                    .events
                    .first()
                    .is_some_and(|event| event.stream_version == StreamVersion(1)),
                events: outcome
                    .events
                    .into_iter()
                    .map(|event| EventSummary {
                        event_id: event.event_id,
                        event_type: event.event_type,
                    })
                    .collect(),
                id: None,
            },
            Executed::Unchanged {
                stream_id,
                stream_version,
                position,
            } => Self {
                stream_id,
                stream_version,
                position,
                events: Vec::new(),
                id: None,
                created: false,
            },
        }
    }

    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }
}

impl IntoResponse for CommandResponse {
    fn into_response(self) -> Response {
        let status = if self.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let etag = HeaderValue::from_str(&format!("\"{}\"", self.stream_version.0))
            .expect("a number is a valid header value");
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(header::ETAG, etag);
        response
    }
}
