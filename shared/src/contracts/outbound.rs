//! Where Liaison may send a request because staff typed a URL (a moderation callback, a site
//! to poll): public HTTPS addresses only. Without this check a staff-registered URL could make
//! Liaison call the cloud's metadata service (169.254.169.254), the VPC's private services or
//! itself, and send them a source's credentials.
//!
//! A URL is checked when it is registered ([`check_url`]: scheme, no userinfo, no private IP
//! literal, no `localhost`) and again when it is called: the HTTP clients of the functions
//! that call such URLs resolve names through [`PublicOnly`] (with the `outbound-http`
//! feature), which refuses a name that resolves to a private address, so DNS cannot point a
//! checked name at one later. `OUTBOUND_ALLOW_PRIVATE=true` lifts both, for the local stack
//! whose platform doubles listen on loopback over plain HTTP.

use std::net::IpAddr;

/// The setting that lifts the checks (template parameter `AllowPrivateOutbound`).
pub const ALLOW_PRIVATE_VARIABLE: &str = "OUTBOUND_ALLOW_PRIVATE";

/// Whether the environment allows private and plain-HTTP destinations.
pub fn allow_private(env: &dyn crate::kit::config::Env) -> bool {
    env.var(ALLOW_PRIVATE_VARIABLE).as_deref() == Some("true")
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// unspecified, broadcast, multicast or documentation, in IPv4 or IPv6 (mapped included).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
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
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

/// Why a URL cannot be a destination, or `Ok`.
/// The origin (`https://host[:port]`) of a URL [`check_url`] accepted: what may be shown of
/// a URL that is itself a secret (a chat's incoming webhook). Written out rather than parsed
/// with `url`, whose IDNA tables cost the admin bootstrap half a megabyte.
pub fn origin(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

pub fn check_url(text: &str, allow_private: bool) -> Result<(), &'static str> {
    let rest = match (text.strip_prefix("https://"), text.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if allow_private => rest,
        (None, Some(_)) => return Err("must be an https URL"),
        _ => return Err("must be an absolute https URL"),
    };
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not hold spaces or control characters");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not hold a user name or password");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err("must name a host");
    }
    if allow_private {
        return Ok(());
    }
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return Err("must be a public address, not this machine");
    }
    match lower.parse::<IpAddr>() {
        Ok(ip) if !is_public(ip) => Err("must be a public address, not a private one"),
        _ => Ok(()),
    }
}

#[cfg(feature = "outbound-http")]
pub use resolver::PublicOnly;

/// An HTTP client for staff-typed URLs, as `user_agent`: no redirect followed (where a
/// checked URL redirects was not checked, and credentials would follow), names resolved to
/// public addresses only unless `allow_private`, `timeout` for a whole call and at most 5 s
/// of it to connect.
#[cfg(feature = "outbound-http")]
pub fn client(
    user_agent: &str,
    timeout: std::time::Duration,
    allow_private: bool,
) -> Result<reqwest::Client, crate::Error> {
    let builder = reqwest::Client::builder()
        .connect_timeout(timeout.min(std::time::Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none());
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(std::sync::Arc::new(PublicOnly))
    };
    builder
        .build()
        .map_err(|e| crate::Error::caused("HTTP client", e))
}

#[cfg(feature = "outbound-http")]
mod resolver {
    use std::net::SocketAddr;

    /// A DNS resolver for reqwest that keeps only public addresses, and fails a name that
    /// has none: a name checked at registration cannot be pointed at a private address later.
    pub struct PublicOnly;

    impl reqwest::dns::Resolve for PublicOnly {
        fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async move {
                let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
                let public: Vec<SocketAddr> = found.filter(|a| super::is_public(a.ip())).collect();
                if public.is_empty() {
                    return Err(format!(
                        "{} resolves to no public address: refused",
                        name.as_str()
                    )
                    .into());
                }
                Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_should_keep_the_scheme_host_and_port_only() {
        assert_eq!(
            origin("https://hooks.slack.com/services/T0/B0/secret?x=1").as_deref(),
            Some("https://hooks.slack.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080/workflows/a?sig=s").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin("https:///path"), None);
        assert_eq!(origin("no scheme"), None);
    }

    #[test]
    fn private_and_local_destinations_should_be_refused() {
        for url in [
            "http://blog.example",
            "https://127.0.0.1/hook",
            "https://localhost:8080/",
            "https://api.localhost/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://user:pass@blog.example/",
            "ftp://blog.example/",
            "https:// blog.example/",
        ] {
            assert!(check_url(url, false).is_err(), "{url}");
        }
        for url in [
            "https://blog.example/wp-json",
            "https://93.184.216.34/",
            "https://[2606:4700::1111]/",
            "https://shop.example:8443/hooks?x=1",
        ] {
            assert_eq!(check_url(url, false), Ok(()), "{url}");
        }
        // The local stack's doubles: loopback over plain HTTP, when allowed.
        assert_eq!(check_url("http://127.0.0.1:4000/hook", true), Ok(()));
    }
}
