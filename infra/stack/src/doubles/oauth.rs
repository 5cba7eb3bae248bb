//! The OAuth 2.0 bookkeeping the doubles of OAuth platforms (X, Google for YouTube,
//! Trustpilot) share: the tokens a provider issued, refresh-token exchanges (rotating, as X
//! does, or not), and a confidential client's Basic credentials.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::http::HeaderMap;
use base64::Engine;

use super::bearer;

/// Tokens an OAuth 2.0 provider issued: the access tokens it takes, the refresh tokens it
/// exchanges, and whether an exchange spends the refresh token (rotation).
pub struct Tokens {
    prefix: &'static str,
    rotates: bool,
    inner: Mutex<Issued>,
}

#[derive(Default)]
struct Issued {
    access: HashSet<String>,
    refresh: HashSet<String>,
    count: u64,
}

impl Tokens {
    pub fn new(prefix: &'static str, rotates: bool) -> Self {
        Tokens {
            prefix,
            rotates,
            inner: Mutex::new(Issued::default()),
        }
    }

    fn issued(&self) -> std::sync::MutexGuard<'_, Issued> {
        self.inner.lock().expect("tokens lock")
    }

    /// Takes `access` and exchanges `refresh` from now on (the login a test seeds).
    pub fn grant(&self, access: &str, refresh: &str) {
        let mut issued = self.issued();
        issued.access.insert(access.to_string());
        issued.refresh.insert(refresh.to_string());
    }

    /// Whether a request's bearer token is one it takes.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        bearer(headers).is_some_and(|token| self.issued().access.contains(token))
    }

    /// Stops taking `access` (it expired).
    pub fn expire(&self, access: &str) {
        self.issued().access.remove(access);
    }

    /// Stops exchanging `refresh` (the brand revoked the app).
    pub fn revoke(&self, refresh: &str) {
        self.issued().refresh.remove(refresh);
    }

    /// Whether `refresh` is still exchanged.
    pub fn exchanges(&self, refresh: &str) -> bool {
        self.issued().refresh.contains(refresh)
    }

    /// A new access token for `refresh`, and the new refresh token when it rotates; `None`
    /// for a refresh token it does not know (or already spent).
    pub fn exchange(&self, refresh: &str) -> Option<(String, Option<String>)> {
        let mut issued = self.issued();
        if !issued.refresh.contains(refresh) {
            return None;
        }
        issued.count += 1;
        let access = format!("{}-access-{}", self.prefix, issued.count);
        issued.access.insert(access.clone());
        let rotated = self.rotates.then(|| {
            let next = format!("{}-refresh-{}", self.prefix, issued.count);
            issued.refresh.remove(refresh);
            issued.refresh.insert(next.clone());
            next
        });
        Some((access, rotated))
    }

    /// How many tokens it issued by refresh.
    pub fn refreshes(&self) -> u64 {
        self.issued().count
    }
}

/// The client id and secret of an `Authorization: Basic` header.
pub fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}
