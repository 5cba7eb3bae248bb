//! The links of a relaunch email, served by `tracking`: `/t/c/{token}` (a click, then a
//! redirect to the link signed in the token: never an open redirect), `/t/u/{token}`
//! (unsubscribe, RFC 8058 one-click by POST) and `/t/b/{token}` ("call me back").
//!
//! Tokens are [`crate::contracts::tokens`]: signed with the link key ring (a key derived for each
//! purpose), expiring, naming the email and the contact by id, never by address.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::tokens::{Keyring, TokenError};

pub const CLICK: &str = "relaunch-click";
pub const UNSUBSCRIBE: &str = "relaunch-unsubscribe";
pub const CALLBACK: &str = "relaunch-callback";

/// How long each link works after the email is sent. Unsubscribe lasts longest: a reader
/// may act on an old email, and the law expects it to work for at least 30 days.
fn lifetime(purpose: &str) -> Duration {
    match purpose {
        UNSUBSCRIBE => Duration::days(365),
        CALLBACK => Duration::days(30),
        _ => Duration::days(90),
    }
}

/// What a link token carries: the email, its contact, for a click the destination, and for
/// an unsubscribe the address's suppression key (a keyed hash, never the address), so that
/// leaving holds for the address whatever becomes of the contact (a merge, a new contact).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    #[serde(rename = "e")]
    pub email_id: String,
    #[serde(rename = "c")]
    pub contact_id: String,
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub email_key: Option<String>,
}

/// Signs and reads the links of relaunch emails.
#[derive(Clone)]
pub struct Links {
    keys: Keyring,
    /// `https://…` where `/t/...` is served, without a trailing slash.
    base: String,
}

impl Links {
    pub fn new(keys: Keyring, base: &str) -> Self {
        Links {
            keys,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// Where the links are served: a URL starting so is Liaison's own.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn path(purpose: &str) -> &'static str {
        match purpose {
            UNSUBSCRIBE => "u",
            CALLBACK => "b",
            _ => "c",
        }
    }

    /// The public URL of a link for `purpose`, valid from `sent_at`.
    pub fn url(&self, purpose: &str, link: &Link, sent_at: DateTime<Utc>) -> String {
        let token = self.keys.sign(purpose, link, sent_at + lifetime(purpose));
        format!("{}/t/{}/{token}", self.base, Self::path(purpose))
    }

    pub fn read(&self, purpose: &str, token: &str, now: DateTime<Utc>) -> Result<Link, TokenError> {
        self.keys.verify(purpose, token, now)
    }
}

/// `url` with the campaign's UTM parameters added (an existing `utm_*` is kept as is).
pub fn with_utm(url: &str, utm: Option<&crate::relaunch::campaigns::Utm>) -> String {
    let Some(utm) = utm else {
        return url.to_string();
    };
    let (head, fragment) = match url.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (url, None),
    };
    let mut out = head.to_string();
    for (name, value) in [
        ("utm_source", &utm.source),
        ("utm_medium", &utm.medium),
        ("utm_campaign", &utm.campaign),
    ] {
        if head.contains(&format!("{name}=")) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(name);
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(key: &str) -> Keyring {
        Keyring::from_json(&serde_json::json!({"current": "k1", "k1": key}).to_string()).unwrap()
    }
    use crate::relaunch::campaigns::Utm;

    #[test]
    fn utm_tags_should_be_added_once_and_before_the_fragment() {
        let utm = Utm {
            source: "liaison".into(),
            medium: "email".into(),
            campaign: "panier abandonné".into(),
        };
        assert_eq!(
            with_utm("https://shop.example/p?id=1#top", Some(&utm)),
            "https://shop.example/p?id=1&utm_source=liaison&utm_medium=email&utm_campaign=panier%20abandonn%C3%A9#top"
        );
        assert_eq!(
            with_utm("https://shop.example/?utm_source=x", Some(&utm)),
            "https://shop.example/?utm_source=x&utm_medium=email&utm_campaign=panier%20abandonn%C3%A9"
        );
        assert_eq!(with_utm("https://a.example/", None), "https://a.example/");
    }

    #[test]
    fn a_link_should_be_read_only_for_its_purpose_and_until_it_expires() {
        let links = Links::new(
            ring("secret-of-thirty-two-bytes-at-least"),
            "https://liaison.example/",
        );
        let sent: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().unwrap();
        let link = Link {
            email_key: None,
            email_id: "eml_rl_1".into(),
            contact_id: "ctc_1".into(),
            url: Some("https://shop.example/cart".into()),
        };
        let url = links.url(CLICK, &link, sent);
        let token = url.strip_prefix("https://liaison.example/t/c/").unwrap();
        assert_eq!(links.read(CLICK, token, sent).unwrap(), link);
        assert_eq!(
            links.read(UNSUBSCRIBE, token, sent),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            links.read(CLICK, token, sent + Duration::days(91)),
            Err(TokenError::Expired)
        );
        let other = Links::new(
            ring("other-secret-of-thirty-two-bytes-at-least"),
            "https://liaison.example",
        );
        assert_eq!(
            other.read(CLICK, token, sent),
            Err(TokenError::BadSignature)
        );
    }
}
