//! One attempt: for a webhook, the event's body, byte for byte as first recorded, POSTed to
//! the endpoint and signed with each of its current secrets; for a connector, the calls its
//! tool's API needs ([`crate::zendesk`]). What came back is kept for the log: the status,
//! the time it took, the first bytes of the answer.

use std::time::Instant;

use chrono::{DateTime, Utc};
use shared::contracts::deliveries::endpoints::{Endpoint, Kind};
use shared::contracts::deliveries::schedule::{outcome, Outcome};
use shared::contracts::deliveries::store::{Attempt, Pending, Recorded};

use crate::Deps;

/// How much of a receiver's answer the log keeps.
pub const RESPONSE_BYTES: usize = 512;

/// What an attempt got, and how to take it.
#[derive(Debug)]
pub struct Tried {
    pub attempt: Attempt,
    pub outcome: Outcome,
    /// The receiver's `Retry-After`, in seconds.
    pub retry_after: Option<i64>,
}

/// Delivers `event` (the lane's `head`) to `endpoint` once.
pub async fn deliver(
    deps: &Deps,
    endpoint: &Endpoint,
    head: &Pending,
    event: &Recorded,
    now: DateTime<Utc>,
) -> Tried {
    // Registered URLs were checked; this one is checked again, as at every call (a chat
    // hook's, once opened; an email has none).
    if !endpoint.kind.secret_url() && endpoint.kind != Kind::Email {
        if let Err(why) = shared::contracts::outbound::check_url(&endpoint.url, deps.allow_private)
        {
            return Tried::refused(now, format!("the endpoint URL {why}"));
        }
    }
    match endpoint.kind {
        Kind::Webhook => signed_post(deps, endpoint, event, now).await,
        Kind::Zendesk => crate::zendesk::deliver(deps, endpoint, head, event, now).await,
        Kind::HubSpot => crate::hubspot::deliver(deps, endpoint, head, event, now).await,
        Kind::Email | Kind::Slack | Kind::Teams => {
            crate::notify::deliver(deps, endpoint, event, now).await
        }
    }
}

impl Tried {
    /// Not sent, and sending cannot help.
    pub fn refused(now: DateTime<Utc>, why: String) -> Tried {
        Tried {
            attempt: Attempt::unsent(now, why),
            outcome: Outcome::Refused,
            retry_after: None,
        }
    }
}

/// The Standard Webhooks request.
async fn signed_post(
    deps: &Deps,
    endpoint: &Endpoint,
    event: &Recorded,
    now: DateTime<Utc>,
) -> Tried {
    let refused = |why: String| Tried::refused(now, why);
    let secrets = match deps.endpoints.signing_secrets(endpoint, now) {
        Ok(secrets) if !secrets.is_empty() => secrets,
        Ok(_) => return refused("the endpoint has no signing secret".into()),
        Err(e) => return refused(format!("the endpoint's secret is unusable: {e}")),
    };
    // The receiver checks `webhook-timestamp` against its own clock: the wall clock's time,
    // even when the local stack's clock was moved to make retries due.
    let timestamp = Utc::now().timestamp();
    let request = match shared::contracts::signed_webhook::post(
        &deps.http,
        &endpoint.url,
        &secrets,
        &event.id,
        timestamp,
        event.payload.clone().into_bytes(),
    ) {
        Ok(request) => request,
        Err(e) => return refused(format!("the request could not be signed: {e}")),
    };
    let started = Instant::now();
    let sent = request.send().await;
    let elapsed =
        |started: Instant| u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match sent {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok());
            let body = first_bytes(&mut response, RESPONSE_BYTES).await;
            Tried {
                attempt: Attempt {
                    at: now,
                    status: Some(status),
                    error: None,
                    latency_ms: elapsed(started),
                    response: body,
                },
                outcome: outcome(status),
                retry_after,
            }
        }
        Err(e) => Tried {
            attempt: Attempt {
                at: now,
                status: None,
                error: Some(transport_error(&e).into()),
                latency_ms: elapsed(started),
                response: String::new(),
            },
            outcome: Outcome::TryAgain,
            retry_after: None,
        },
    }
}

/// Why a request got no answer. Never the error's text: the URL is the receiver's and may
/// hold a token.
pub fn transport_error(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "the endpoint did not answer in time"
    } else if e.is_connect() {
        "the endpoint could not be reached"
    } else {
        "the request failed"
    }
}

/// The most of a tool's answer a connector reads (a ticket with its fields is a few KB).
pub const MOST_READ: usize = 1024 * 1024;

/// The first `limit` bytes of `response`'s body (at most [`MOST_READ`]), read no further.
pub async fn first_bytes(response: &mut reqwest::Response, limit: usize) -> String {
    let limit = limit.min(MOST_READ);
    let mut kept = Vec::new();
    while kept.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(limit);
    String::from_utf8_lossy(&kept).into_owned()
}
