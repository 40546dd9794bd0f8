//! Where a request came from, for the records of who read what: the TCP peer (the
//! service is served with its connect info) and what a proxy in front of it said
//! (`X-Forwarded-For`, kept apart because nothing verifies it).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The longest `X-Forwarded-For` kept.
const MAX_FORWARDED_CHARS: usize = 256;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAddress {
    /// The peer's IP address; none when the service runs without connect info (tests
    /// that call a router directly).
    pub peer: Option<String>,
    pub forwarded_for: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip().to_string());
        let forwarded_for = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .map(|value| value.chars().take(MAX_FORWARDED_CHARS).collect());
        Ok(Self {
            peer,
            forwarded_for,
        })
    }
}
