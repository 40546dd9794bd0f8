//! The receivers' HTTP client: no redirects, and, outside the local stack, a resolver
//! that refuses names resolving to non-public addresses, so a receiver's DNS cannot
//! point caselog at its own network after its URL was checked.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::endpoint::{ReceiverRules, is_public};

struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| is_public(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The client deliveries are sent with.
pub fn client(rules: ReceiverRules) -> reqwest::Result<reqwest::Client> {
    let builder = caselog_platform::connect::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("caselog-webhooks/", env!("CARGO_PKG_VERSION")));
    let builder = if rules.private_networks {
        builder
    } else {
        builder.dns_resolver(Arc::new(PublicOnly))
    };
    builder.build()
}
