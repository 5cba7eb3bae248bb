//! The brand's OAuth 2.0 access token for a source (X, YouTube through Google, Trustpilot),
//! kept fresh with its refresh token.
//!
//! - The stored `access_token` is used while `access_token_expires_at` is absent or more than
//!   [`EARLY`] away; else it is refreshed first at the provider's token endpoint.
//! - A 401 from the API on a call made with a token that could be refreshed: the token is
//!   refreshed once and the call made again. A 401 means nothing was done, so the second
//!   call cannot publish twice.
//! - A refreshed token (its expiry, and the new refresh token where the provider rotates
//!   them, as X does) is written back with the source's versioned write, so the next call,
//!   in this Lambda or another, uses it.
//! - A refused refresh (`invalid_grant`: revoked, expired, already used) is a refusal of the
//!   brand's credentials, with the provider's reason. Before saying so, the source is read
//!   again: another attempt may have refreshed it meanwhile (with X, that spends the refresh
//!   token we read), and then its token is used.
//!
//! Tokens never appear in a reason or a log.

use std::convert::Infallible;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;
use shared::contracts::sources::{Credentials, Platform, Source};

use crate::call::{self, Call, Response};
use crate::{Apis, Deps};

/// A stored token this close to its expiry is refreshed before use (a call takes seconds;
/// clocks differ by some).
pub const EARLY: chrono::Duration = chrono::Duration::seconds(60);

pub const ACCESS_TOKEN: &str = "access_token";
pub const REFRESH_TOKEN: &str = "refresh_token";
pub const CLIENT_ID: &str = "client_id";
pub const CLIENT_SECRET: &str = "client_secret";
pub use shared::contracts::sources::ACCESS_TOKEN_EXPIRES_AT as EXPIRES_AT;

/// Who issues a platform's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// X's OAuth 2.0 (Authorization Code with PKCE): rotates the refresh token on each use.
    X,
    /// Google's OAuth 2.0, for the YouTube Data API.
    Google,
    /// Trustpilot's business-user OAuth (API key and secret as the client).
    Trustpilot,
}

impl Provider {
    pub fn of(platform: Platform) -> Option<Provider> {
        match platform {
            Platform::X => Some(Provider::X),
            Platform::YouTube => Some(Provider::Google),
            Platform::Trustpilot => Some(Provider::Trustpilot),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::X => "X",
            Provider::Google => "Google",
            Provider::Trustpilot => "Trustpilot",
        }
    }

    /// Where a refresh token is exchanged for a new access token.
    pub fn token_url(self, apis: &Apis) -> String {
        match self {
            Provider::X => format!("{}/2/oauth2/token", apis.x),
            Provider::Google => format!("{}/token", apis.google_oauth),
            Provider::Trustpilot => format!(
                "{}/v1/oauth/oauth-business-users-for-applications/refresh",
                apis.trustpilot
            ),
        }
    }
}

/// Whether a token stored with expiry `expires_at` (RFC 3339) is to be refreshed at `now`:
/// never when its expiry is not known (a 401 will say), always when it cannot be read.
pub fn is_due(expires_at: Option<&str>, now: DateTime<Utc>) -> bool {
    match expires_at {
        None => false,
        Some(at) => match DateTime::parse_from_rfc3339(at.trim()) {
            Ok(at) => at.with_timezone(&Utc) - EARLY <= now,
            Err(_) => true,
        },
    }
}

/// The form and client authentication of a refresh request.
#[derive(Debug, PartialEq)]
pub struct RefreshRequest<'a> {
    pub form: Vec<(&'static str, &'a str)>,
    /// `Authorization: Basic` with the client id and secret, where the provider takes them so.
    pub basic: Option<(&'a str, &'a str)>,
}

/// How `provider` is asked to refresh with `credentials`, or what they lack.
pub fn refresh_request(
    provider: Provider,
    credentials: &Credentials,
) -> Result<RefreshRequest<'_>, String> {
    let missing = |what: &str| {
        format!(
            "the access token cannot be refreshed: the source has no {what} ({} login)",
            provider.name()
        )
    };
    let refresh_token = credentials
        .get(REFRESH_TOKEN)
        .ok_or_else(|| missing(REFRESH_TOKEN))?;
    let client_id = credentials
        .get(CLIENT_ID)
        .ok_or_else(|| missing(CLIENT_ID))?;
    let secret = credentials.get(CLIENT_SECRET);
    let grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    Ok(match provider {
        // A public client names itself in the form; a confidential one also authenticates
        // with Basic (X's token endpoint takes both at once).
        Provider::X => RefreshRequest {
            form: [&grant[..], &[("client_id", client_id)]].concat(),
            basic: secret.map(|secret| (client_id, secret)),
        },
        Provider::Google => RefreshRequest {
            form: [
                &grant[..],
                &[
                    ("client_id", client_id),
                    (
                        "client_secret",
                        secret.ok_or_else(|| missing(CLIENT_SECRET))?,
                    ),
                ],
            ]
            .concat(),
            basic: None,
        },
        // The application's API key and secret, as Basic.
        Provider::Trustpilot => RefreshRequest {
            form: grant.to_vec(),
            basic: Some((client_id, secret.ok_or_else(|| missing(CLIENT_SECRET))?)),
        },
    })
}

/// What a token endpoint issued.
#[derive(Debug, Clone, PartialEq)]
pub struct Fresh {
    pub access_token: String,
    /// A new refresh token, where the provider rotates them (the old one is spent).
    pub refresh_token: Option<String>,
    /// Seconds the access token lives.
    pub expires_in: Option<i64>,
}

/// The token endpoint's answer (`expires_in` as a number, or as Trustpilot writes it, a
/// string), or `None` without an access token.
pub fn read_fresh(body: &Value) -> Option<Fresh> {
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let expires_in = body.get("expires_in").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    Some(Fresh {
        access_token: text("access_token")?,
        refresh_token: text("refresh_token"),
        expires_in,
    })
}

/// `credentials` with `fresh` in them as of `now`: the new access token and its expiry, the
/// new refresh token where one was issued; everything else kept.
pub fn renewed(credentials: &Credentials, fresh: &Fresh, now: DateTime<Utc>) -> Credentials {
    let mut renewed = credentials.clone();
    let map = &mut renewed.0;
    map.insert(ACCESS_TOKEN.into(), fresh.access_token.clone());
    if let Some(refresh_token) = &fresh.refresh_token {
        map.insert(REFRESH_TOKEN.into(), refresh_token.clone());
    }
    match fresh.expires_in {
        Some(seconds) => {
            let at = now + chrono::Duration::seconds(seconds);
            map.insert(
                EXPIRES_AT.into(),
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
        }
        // An expiry we do not know is not one we guess: a 401 will tell.
        None => {
            map.remove(EXPIRES_AT);
        }
    }
    renewed
}

/// Why the provider refused a refresh, in its words (`error: error_description`, OAuth's
/// error body; else whatever message it gave).
pub fn refusal_reason(provider: Provider, response: &Response) -> String {
    let body = response.json();
    let said = match (
        body.get("error").and_then(Value::as_str),
        body.get("error_description").and_then(Value::as_str),
    ) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error.to_string(),
        _ => call::platform_message(&response.body),
    };
    let said: String = said.chars().take(300).collect();
    format!(
        "{} refused to refresh the access token ({}): {said}",
        provider.name(),
        response.status
    )
}

/// How one authorised call to an API ended.
#[derive(Debug, PartialEq)]
pub enum Attempt<T> {
    /// A 401 (with the platform's reason): the token was not taken, and nothing was done.
    Unauthorised(String),
    Finished(Call<T>),
}

/// Makes `attempt` with the source's current access token; on a 401, refreshes the token
/// once and makes it again.
pub async fn authorised<T, F, Fut>(
    deps: &Deps,
    source: &Source,
    provider: Provider,
    attempt: F,
) -> Call<T>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let access = match current(deps, source, provider).await {
        Ok(access) => access,
        Err(call) => return recast(call),
    };
    let reason = match attempt(access.token.clone()).await {
        Attempt::Finished(call) => return call,
        Attempt::Unauthorised(reason) => reason,
    };
    if access.refreshed || access.source.credentials.get(REFRESH_TOKEN).is_none() {
        return refused(reason);
    }
    tracing::info!(
        source_id = %source.id,
        provider = provider.name(),
        "the access token was not taken: refreshing it once"
    );
    let access = match refresh(deps, access.source, provider).await {
        Ok(access) => access,
        Err(call) => return recast(call),
    };
    match attempt(access.token).await {
        Attempt::Finished(call) => call,
        Attempt::Unauthorised(reason) => refused(reason),
    }
}

fn refused<T>(reason: String) -> Call<T> {
    Call::Refused {
        reason,
        credentials: true,
    }
}

/// A token to call with, and the source as it now stands (its version, for the next write).
struct Access {
    token: String,
    source: Source,
    /// Freshly issued (or found freshly issued by another attempt): not worth refreshing.
    refreshed: bool,
}

/// A refresh that did not give a token: the call was not made.
type Blocked = Call<Infallible>;

fn recast<T>(call: Blocked) -> Call<T> {
    call.and_then(|never| match never {})
}

/// The source's token, refreshed first when due.
async fn current(deps: &Deps, source: &Source, provider: Provider) -> Result<Access, Blocked> {
    let stored = source.credentials.get(ACCESS_TOKEN);
    let can_refresh = source.credentials.get(REFRESH_TOKEN).is_some();
    let due = is_due(source.credentials.get(EXPIRES_AT), deps.clock.now());
    match stored {
        Some(token) if !(due && can_refresh) => Ok(Access {
            token: token.to_string(),
            source: source.clone(),
            refreshed: false,
        }),
        _ if can_refresh => refresh(deps, source.clone(), provider).await,
        _ => Err(Call::refused(format!(
            "the source has no access_token ({} login)",
            provider.name()
        ))),
    }
}

/// Exchanges the source's refresh token for a new access token, and stores it.
async fn refresh(deps: &Deps, source: Source, provider: Provider) -> Result<Access, Blocked> {
    let asked = refresh_request(provider, &source.credentials).map_err(Call::refused)?;
    let mut request = deps
        .http
        .post(provider.token_url(&deps.apis))
        .header("accept", "application/json")
        .form(&asked.form);
    if let Some((id, secret)) = asked.basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = call::send::<Infallible>(request)
        .await
        .map_err(nothing_published)?;
    if !response.is_success() {
        return match refreshed_elsewhere(deps, &source).await {
            Some(theirs) => Ok(theirs),
            None => Err(refresh_failed(provider, &response)),
        };
    }
    let Some(fresh) = read_fresh(&response.json()) else {
        return Err(Call::Retry {
            after: None,
            reason: format!(
                "{} answered the refresh without an access token",
                provider.name()
            ),
        });
    };
    let credentials = renewed(&source.credentials, &fresh, deps.clock.now());
    tracing::info!(
        source_id = %source.id,
        provider = provider.name(),
        rotated = fresh.refresh_token.is_some(),
        "access token refreshed"
    );
    Ok(store(deps, source, credentials).await)
}

/// What a token endpoint's refusal means: its own words on a 4xx (the grant is dead: the
/// brand must log in again); a wait on a rate limit or an outage. The answer was not sent
/// either way, so nothing is unknown.
fn refresh_failed(provider: Provider, response: &Response) -> Blocked {
    match response.status {
        408 | 429 | 500..=599 => Call::Retry {
            after: response.after,
            reason: refusal_reason(provider, response),
        },
        _ => refused(refusal_reason(provider, response)),
    }
}

/// A refresh whose answer was lost may have happened, but the answer itself was not sent:
/// retried, never unknown.
fn nothing_published(call: Blocked) -> Blocked {
    match call {
        Call::Unknown { reason } => Call::Retry {
            after: None,
            reason: format!("refreshing the access token: {reason}"),
        },
        other => other,
    }
}

/// The source's access, if another attempt refreshed it since `read` was read.
async fn refreshed_elsewhere(deps: &Deps, read: &Source) -> Option<Access> {
    let latest = deps.sources.get(&read.id).await.ok().flatten()?;
    let token = latest.credentials.get(ACCESS_TOKEN)?.to_string();
    let changed = |name: &str| latest.credentials.get(name) != read.credentials.get(name);
    (changed(ACCESS_TOKEN) || changed(REFRESH_TOKEN)).then(|| Access {
        token,
        source: latest.clone(),
        refreshed: true,
    })
}

/// Writes the refreshed `credentials` on `source`; a source changed meanwhile is read
/// again: its token when another attempt refreshed it, else ours written over its version.
/// The new token is used for this call whatever the write did (it is valid, and with X the
/// old refresh token is already spent).
async fn store(deps: &Deps, source: Source, credentials: Credentials) -> Access {
    let token = credentials
        .get(ACCESS_TOKEN)
        .unwrap_or_default()
        .to_string();
    let mut target = source;
    for _ in 0..2 {
        let written = deps
            .sources
            .replace_access(&target.id, target.version, &credentials, &target.settings)
            .await;
        match written {
            Ok(()) => {
                target.version += 1;
                target.credentials = credentials;
                return Access {
                    token,
                    source: target,
                    refreshed: true,
                };
            }
            Err(shared::Error::Conflict(_)) => {
                if let Some(theirs) = refreshed_elsewhere(deps, &target).await {
                    return theirs;
                }
                match deps.sources.get(&target.id).await {
                    Ok(Some(latest)) => target = latest,
                    _ => break,
                }
            }
            Err(e) => {
                tracing::warn!(source_id = %target.id, error = %e, "the refreshed access token could not be stored");
                break;
            }
        }
    }
    tracing::warn!(source_id = %target.id, "the refreshed access token was used but not stored");
    target.credentials = credentials;
    Access {
        token,
        source: target,
        refreshed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(pairs: &[(&str, &str)]) -> Credentials {
        Credentials(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("a time")
    }

    #[test]
    fn a_token_should_be_refreshed_only_within_a_minute_of_its_expiry() {
        let now = at("2025-03-01T12:00:00Z");
        assert!(!is_due(None, now), "no expiry known: used until a 401");
        assert!(!is_due(Some("2025-03-01T12:01:01Z"), now));
        assert!(is_due(Some("2025-03-01T12:01:00Z"), now));
        assert!(is_due(Some("2025-03-01T11:00:00Z"), now));
        assert!(is_due(Some("2025-03-01T13:00:00+02:00"), now));
        assert!(is_due(Some("next tuesday"), now), "unreadable: refreshed");
    }

    #[test]
    fn each_provider_should_be_asked_the_way_it_documents() {
        let full = credentials(&[
            ("refresh_token", "r-1"),
            ("client_id", "cid"),
            ("client_secret", "cs"),
        ]);
        let x = refresh_request(Provider::X, &full).expect("x");
        assert_eq!(
            x.form,
            vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", "r-1"),
                ("client_id", "cid")
            ]
        );
        assert_eq!(x.basic, Some(("cid", "cs")));
        let public = credentials(&[("refresh_token", "r-1"), ("client_id", "cid")]);
        assert_eq!(
            refresh_request(Provider::X, &public).expect("x").basic,
            None
        );
        let google = refresh_request(Provider::Google, &full).expect("google");
        assert!(google.form.contains(&("client_secret", "cs")));
        assert_eq!(google.basic, None);
        let trustpilot = refresh_request(Provider::Trustpilot, &full).expect("trustpilot");
        assert_eq!(
            trustpilot.form,
            vec![("grant_type", "refresh_token"), ("refresh_token", "r-1")]
        );
        assert_eq!(trustpilot.basic, Some(("cid", "cs")));
        let refused = refresh_request(Provider::Google, &public).expect_err("no secret");
        assert!(refused.contains("client_secret"), "{refused}");
        assert!(refresh_request(Provider::X, &credentials(&[("client_id", "c")])).is_err());
    }

    #[test]
    fn token_urls_should_be_the_providers_endpoints() {
        let apis = Apis {
            graph: String::new(),
            x: "https://api.x.com".into(),
            youtube: String::new(),
            google_oauth: "https://oauth2.googleapis.com".into(),
            trustpilot: "https://api.trustpilot.com".into(),
        };
        assert_eq!(
            Provider::X.token_url(&apis),
            "https://api.x.com/2/oauth2/token"
        );
        assert_eq!(
            Provider::Google.token_url(&apis),
            "https://oauth2.googleapis.com/token"
        );
        assert_eq!(
            Provider::Trustpilot.token_url(&apis),
            "https://api.trustpilot.com/v1/oauth/oauth-business-users-for-applications/refresh"
        );
    }

    #[test]
    fn a_token_answer_should_be_read_whatever_type_its_expiry_has() {
        let x = serde_json::json!({"token_type": "bearer", "expires_in": 7200, "access_token": "a-2", "scope": "tweet.write offline.access", "refresh_token": "r-2"});
        assert_eq!(
            read_fresh(&x),
            Some(Fresh {
                access_token: "a-2".into(),
                refresh_token: Some("r-2".into()),
                expires_in: Some(7200)
            })
        );
        let trustpilot = serde_json::json!({"access_token": "a-3", "refresh_token": "r-3", "expires_in": "359999"});
        assert_eq!(
            read_fresh(&trustpilot).and_then(|f| f.expires_in),
            Some(359_999)
        );
        assert_eq!(read_fresh(&serde_json::json!({"expires_in": 3599})), None);
    }

    #[test]
    fn renewed_credentials_should_replace_the_token_its_expiry_and_a_rotated_refresh_token() {
        let before = credentials(&[
            ("access_token", "old"),
            ("refresh_token", "r-1"),
            ("client_id", "cid"),
            ("access_token_expires_at", "2025-03-01T11:00:00Z"),
        ]);
        let now = at("2025-03-01T12:00:00Z");
        let google = Fresh {
            access_token: "new".into(),
            refresh_token: None,
            expires_in: Some(3599),
        };
        let after = renewed(&before, &google, now);
        assert_eq!(after.get("access_token"), Some("new"));
        assert_eq!(after.get("refresh_token"), Some("r-1"), "Google keeps it");
        assert_eq!(
            after.get("access_token_expires_at"),
            Some("2025-03-01T12:59:59Z")
        );
        assert_eq!(after.get("client_id"), Some("cid"));
        let x = Fresh {
            refresh_token: Some("r-2".into()),
            expires_in: None,
            ..google
        };
        let after = renewed(&before, &x, now);
        assert_eq!(after.get("refresh_token"), Some("r-2"), "X rotates it");
        assert_eq!(after.get("access_token_expires_at"), None);
    }

    #[test]
    fn a_refused_refresh_should_say_why_in_the_providers_words_without_a_token() {
        let response = Response {
            status: 400,
            after: None,
            body: br#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#.to_vec(),
        };
        let reason = refusal_reason(Provider::Google, &response);
        assert_eq!(
            reason,
            "Google refused to refresh the access token (400): invalid_grant: Token has been expired or revoked."
        );
        assert!(matches!(
            refresh_failed(Provider::Google, &response),
            Call::Refused {
                credentials: true,
                ..
            }
        ));
        let busy = Response {
            status: 503,
            after: None,
            body: vec![],
        };
        assert!(matches!(
            refresh_failed(Provider::X, &busy),
            Call::Retry { .. }
        ));
        assert!(matches!(
            nothing_published(Call::Unknown {
                reason: "reset".into()
            }),
            Call::Retry { .. }
        ));
    }
}
