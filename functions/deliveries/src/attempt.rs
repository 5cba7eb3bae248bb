//! One attempt: the event's body, byte for byte as first recorded, POSTed to the endpoint
//! and signed with each of its current secrets. What came back is kept for the log: the
//! status, the time it took, the first bytes of the answer.

use std::time::Instant;

use chrono::{DateTime, Utc};
use shared::contracts::deliveries::endpoints::Endpoint;
use shared::contracts::deliveries::schedule::{outcome, Outcome};
use shared::contracts::deliveries::store::{Attempt, Recorded};

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

/// Delivers `event` to `endpoint` once.
pub async fn deliver(
    deps: &Deps,
    endpoint: &Endpoint,
    event: &Recorded,
    now: DateTime<Utc>,
) -> Tried {
    let refused = |why: String| Tried {
        attempt: Attempt::unsent(now, why),
        outcome: Outcome::Refused,
        retry_after: None,
    };
    // Registered URLs were checked; this one is checked again, as at every call.
    if let Err(why) = shared::contracts::outbound::check_url(&endpoint.url, deps.allow_private) {
        return refused(format!("the endpoint URL {why}"));
    }
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
            let body = first_bytes(&mut response).await;
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
        Err(e) => {
            // The URL is the receiver's and may hold a token: never kept.
            let why = if e.is_timeout() {
                "the endpoint did not answer in time"
            } else if e.is_connect() {
                "the endpoint could not be reached"
            } else {
                "the request failed"
            };
            Tried {
                attempt: Attempt {
                    at: now,
                    status: None,
                    error: Some(why.into()),
                    latency_ms: elapsed(started),
                    response: String::new(),
                },
                outcome: Outcome::TryAgain,
                retry_after: None,
            }
        }
    }
}

/// The first [`RESPONSE_BYTES`] of `response`'s body, read no further.
async fn first_bytes(response: &mut reqwest::Response) -> String {
    let mut kept = Vec::new();
    while kept.len() < RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(RESPONSE_BYTES);
    String::from_utf8_lossy(&kept).into_owned()
}
