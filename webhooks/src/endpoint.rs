//! What an endpoint may be: an HTTPS URL of a public host (in the local stack, any
//! URL), and the event types it receives.

use std::net::IpAddr;

use url::Url;

/// The longest URL an endpoint may have.
const MAX_URL_LENGTH: usize = 2000;
/// The most event types an endpoint may name.
const MAX_EVENT_TYPES: usize = 200;
/// The event type that stands for every type.
pub const EVERY_EVENT_TYPE: &str = "*";

/// Which receivers may be registered and reached.
#[derive(Debug, Clone, Copy)]
pub struct ReceiverRules {
    /// Loopback, private, link-local and other non-public addresses (the local stack,
    /// tests). Off in production: an admin must not make caselog call into its own
    /// network (the cloud metadata address, the database…).
    pub private_networks: bool,
    /// Plain `http://` (the local stack, tests).
    pub plain_http: bool,
}

/// A registration's URL, checked: `Err` says what is wrong with it.
pub fn receiver_url(text: &str, rules: ReceiverRules) -> Result<Url, String> {
    if text.len() > MAX_URL_LENGTH {
        return Err(format!("url: at most {MAX_URL_LENGTH} characters"));
    }
    let url = Url::parse(text).map_err(|error| format!("url: {error}"))?;
    match url.scheme() {
        "https" => {}
        "http" if rules.plain_http => {}
        _ => return Err("url: must be an https:// URL".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url: credentials belong in the signature, not the URL".to_owned());
    }
    let host = url
        .host_str()
        .ok_or_else(|| "url: has no host".to_owned())?;
    if !rules.private_networks {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !is_public(ip)
        {
            return Err(format!("url: {ip} is not a public address"));
        }
        if host == "localhost" || host.ends_with(".localhost") {
            return Err("url: localhost is not a public address".to_owned());
        }
    }
    Ok(url)
}

/// The event types a registration names, checked against the contract's: `*` alone,
/// or known names, at least one.
pub fn event_types(names: &[String]) -> Result<Vec<String>, String> {
    if names.is_empty() || names.len() > MAX_EVENT_TYPES {
        return Err(format!(
            "event_types: 1 to {MAX_EVENT_TYPES} event type names, or [\"*\"]"
        ));
    }
    if names.iter().any(|name| name == EVERY_EVENT_TYPE) {
        return if names.len() == 1 {
            Ok(names.to_vec())
        } else {
            Err("event_types: \"*\" stands alone".to_owned())
        };
    }
    let known = caselog_schemas::contract::event_types();
    if let Some(unknown) = names.iter().find(|name| !known.contains(name.as_str())) {
        return Err(format!(
            "event_types: {unknown:?} is not a caselog event type"
        ));
    }
    let mut names = names.to_vec();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Whether an endpoint naming `event_types` receives an event of `event_type`.
pub fn wants(event_types: &[String], event_type: &str) -> bool {
    event_types
        .iter()
        .any(|wanted| wanted == EVERY_EVENT_TYPE || wanted == event_type)
}

/// Whether `ip` is reachable on the public internet: not loopback, private,
/// link-local, shared (CGNAT), documentation, multicast, unspecified or broadcast.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: ReceiverRules = ReceiverRules {
        private_networks: false,
        plain_http: false,
    };
    const LOCAL: ReceiverRules = ReceiverRules {
        private_networks: true,
        plain_http: true,
    };

    #[test]
    fn production_takes_https_urls_of_public_hosts_only() {
        assert!(receiver_url("https://hooks.example.com/caselog?x=1", PRODUCTION).is_ok());
        for refused in [
            "http://hooks.example.com/",
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://100.64.0.1/",
            "https://localhost:8080/",
            "https://api.localhost/",
            "not a url",
            "https://",
        ] {
            assert!(receiver_url(refused, PRODUCTION).is_err(), "{refused}");
        }
        assert!(receiver_url(&format!("https://a.com/{}", "x".repeat(2000)), LOCAL).is_err());
    }

    #[test]
    fn the_local_stack_may_use_plain_http_on_loopback() {
        assert!(receiver_url("http://127.0.0.1:9999/hook", LOCAL).is_ok());
        assert!(receiver_url("ftp://127.0.0.1/", LOCAL).is_err());
    }

    #[test]
    fn public_addresses_are_told_from_the_rest() {
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "172.32.0.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "0.0.0.0",
            "172.16.0.1",
            "192.168.1.1",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "192.0.2.1",
            "fe80::1",
            "2001:db8::1",
            "::",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }

    #[test]
    fn event_types_are_known_names_or_every_type() {
        let names = |list: &[&str]| {
            list.iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            event_types(&names(&[
                "MessageReceived",
                "ConversationStarted",
                "MessageReceived"
            ])),
            Ok(names(&["ConversationStarted", "MessageReceived"]))
        );
        assert_eq!(event_types(&names(&["*"])), Ok(names(&["*"])));
        assert!(event_types(&names(&["*", "MessageReceived"])).is_err());
        assert!(event_types(&names(&["MessageTeleported"])).is_err());
        assert!(event_types(&[]).is_err());
        assert!(wants(&names(&["*"]), "Anything"));
        assert!(wants(&names(&["MessageSent"]), "MessageSent"));
        assert!(!wants(&names(&["MessageSent"]), "MessageReceived"));
    }
}
