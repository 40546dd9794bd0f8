//! Live streams (server-sent events) for a front end's lists: `GET /v1/inbox/stream`
//! sends each conversation I may see as it changes, `GET /v1/chat/stream` each new
//! message in the channels I may read and each new notification in my bell. Every
//! event's `id` is a log position: a client that reconnects with `Last-Event-ID` gets
//! everything after it, so nothing is missed across a dropped connection. Like the
//! dashboard's, the streams live outside the request timeout and end with the
//! caller's token.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use serde::Serialize;

use caselog_platform::http::{Caller, Problem, ProblemType, StreamSlot};
use caselog_schemas::Position;

use super::chat::CHAT_READERS;
use super::{ApiError, AppState, require_reader};
use crate::read_models::live::{self, BATCH, ChatNews};
use crate::read_models::{self, Projection, Viewer, chat};

pub fn stream_router() -> Router<AppState> {
    Router::new()
        .route("/v1/inbox/stream", get(inbox_stream))
        .route("/v1/chat/stream", get(chat_stream))
}

/// Where a stream starts: after `Last-Event-ID` when the client resumes, otherwise
/// after what the read model has applied now (only what changes from here on).
async fn start(
    state: &AppState,
    model: Projection,
    viewer: &Viewer,
    headers: &HeaderMap,
) -> Result<Position, ApiError> {
    match headers.get("last-event-id") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .filter(|position| *position >= 0)
            .map(Position)
            .ok_or_else(|| {
                Problem::validation("Last-Event-ID must be a log position (an integer)").into()
            }),
        None => Ok(read_models::version(model, &state.pool, viewer.tenant_id)
            .await?
            .position),
    }
}

/// One SSE event per item `next` finds after the last one sent, `kind` its name and
/// its position its id; between looks it waits for the model's progress (at most the
/// stream poll interval). Ends with the service, or when the caller's token expires.
fn follow<T, F, Fut>(
    state: AppState,
    time_left: Duration,
    slot: StreamSlot,
    model: Projection,
    after: Position,
    next: F,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    T: Serialize + Send + 'static,
    F: Fn(AppState, Position) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<(Position, String, T)>, ApiError>> + Send,
{
    let shutdown = state.shutdown.clone();
    let poll = state.stream_poll;
    let pending: VecDeque<(Position, String, T)> = VecDeque::new();
    let next = Arc::new(next);
    let updates = futures::stream::unfold(
        (state, after, pending),
        move |(state, mut after, mut pending)| {
            let next = Arc::clone(&next);
            async move {
                loop {
                    if let Some((position, kind, item)) = pending.pop_front() {
                        let event = Event::default()
                            .event(kind)
                            .id(position.to_string())
                            .json_data(&item)
                            .expect("a stream item serialises");
                        return Some((Ok(event), (state, after, pending)));
                    }
                    match next(state.clone(), after).await {
                        Ok(items) if !items.is_empty() => {
                            after = items.last().map_or(after, |(position, ..)| *position);
                            pending.extend(items);
                        }
                        // Nothing new, or the database is away for a moment: wait.
                        _ => {
                            state.progress.wait_for(model, after.next(), poll).await;
                        }
                    }
                }
            }
        },
    );
    let expiry = tokio::time::sleep(time_left);
    let end = async move {
        let _slot = slot;
        tokio::select! {
            () = shutdown.cancelled_owned() => {}
            () = expiry => {}
        }
    };
    Sse::new(futures::StreamExt::take_until(updates, end)).keep_alive(KeepAlive::default())
}

/// Server-sent events: a `conversation` event (a conversation summary, as the inbox
/// shows it) each time a conversation I may see changes, in the groups my team inbox
/// shows. Resume with `Last-Event-ID`. Served outside the request timeout, so it is
/// routed apart and listed here by hand.
#[utoipa::path(get, path = "/v1/inbox/stream", tag = "inbox",
    params(("Last-Event-ID" = Option<i64>, Header, description = "resume after this position")),
    responses((status = 200, content_type = "text/event-stream",
        body = crate::read_models::conversations::ConversationSummary,
        description = "one `conversation` event per change, its id the change's position")))]
pub(super) async fn inbox_stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    require_reader(&caller)?;
    let slot = state.limits.stream_slot(&caller)?;
    let viewer = Viewer::of(&caller);
    let after = start(&state, Projection::Inbox, &viewer, &headers).await?;
    Ok(follow(
        state,
        caller.time_left(),
        slot,
        Projection::Inbox,
        after,
        move |state, after| async move {
            let changed = live::conversations_changed(&state.pool, &viewer, after).await?;
            Ok(changed
                .into_iter()
                .map(|(position, summary)| (position, "conversation".to_owned(), summary))
                .collect())
        },
    ))
}

/// Server-sent events: a `message` event for each new message in a channel I may
/// read, and a `notification` event for each new notification in my bell. Resume
/// with `Last-Event-ID`. Served outside the request timeout, so it is routed apart
/// and listed here by hand.
#[utoipa::path(get, path = "/v1/chat/stream", tag = "chat",
    params(("Last-Event-ID" = Option<i64>, Header, description = "resume after this position")),
    responses((status = 200, content_type = "text/event-stream", body = ChatNews,
        description = "`message` and `notification` events, their id the position")))]
pub(super) async fn chat_stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    caller.require_role(CHAT_READERS)?;
    let viewer = Viewer::of(&caller);
    if !chat::switched_on(&state.pool, viewer.tenant_id).await? {
        return Err(Problem::new(
            ProblemType::Forbidden,
            "the internal chat is switched off for this account",
        )
        .into());
    }
    let slot = state.limits.stream_slot(&caller)?;
    let after = start(&state, Projection::Chat, &viewer, &headers).await?;
    Ok(follow(
        state,
        caller.time_left(),
        slot,
        Projection::Chat,
        after,
        move |state, after| async move {
            let mut news = live::chat_news(&state.pool, &viewer, after).await?;
            // A message and its notification share a position: a full batch may end
            // between them, so its last position is read again next time, whole.
            if news.len() == usize::try_from(BATCH).unwrap_or(usize::MAX)
                && let Some(last) = news.last().map(|item| item.position)
                && news.iter().any(|item| item.position < last)
            {
                news.retain(|item| item.position < last);
            }
            Ok(news
                .into_iter()
                .map(|item| (Position(item.position), item.kind.clone(), item))
                .collect())
        },
    ))
}
