//! A connector's calls to its tool's API for one delivery: each call's answer for the
//! connector to read, and what the delivery log keeps of them all (the last status, the
//! time they took together, a summary instead of the tool's body, which can quote the
//! person).

use std::time::Instant;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;
use shared::contracts::deliveries::links::{Link, Linked, Links};
use shared::contracts::deliveries::schedule::{outcome, Outcome};
use shared::contracts::deliveries::store::Attempt;

use crate::attempt::{first_bytes, Tried};

/// One answer of the tool's.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The body as JSON (`Null` when it is not).
    pub body: Value,
    pub retry_after: Option<i64>,
    /// Its first bytes, for the log when the call failed.
    pub text: String,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a delivery through a connector did not go through.
#[derive(Debug)]
pub struct Failure {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub outcome: Outcome,
    pub retry_after: Option<i64>,
    pub response: String,
}

impl Failure {
    /// A call the tool answered with an error: tried again or refused by its status.
    pub fn answered(reply: Reply) -> Failure {
        Failure {
            status: Some(reply.status),
            error: None,
            outcome: outcome(reply.status),
            retry_after: reply.retry_after,
            response: reply.text,
        }
    }

    /// Not sent, and sending cannot help (no token, an event it cannot read).
    pub fn refused(why: impl Into<String>) -> Failure {
        Failure {
            status: None,
            error: Some(why.into()),
            outcome: Outcome::Refused,
            retry_after: None,
            response: String::new(),
        }
    }
}

pub struct Api<'a> {
    http: &'a reqwest::Client,
    base: String,
    /// `None` for a URL that is its own credential (a chat's incoming webhook).
    authorization: Option<String>,
    at: DateTime<Utc>,
    started: Instant,
    last_status: Option<u16>,
    /// Calls made, for the log and the metric of calls per event.
    pub calls: u32,
}

impl<'a> Api<'a> {
    pub fn new(
        http: &'a reqwest::Client,
        base: &str,
        authorization: Option<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Api {
            http,
            base: base.trim_end_matches('/').to_string(),
            authorization,
            at,
            started: Instant::now(),
            last_status: None,
            calls: 0,
        }
    }

    /// `method` `path` (from the API base) with `body`: the answer, or the failure of a
    /// call that got none (tried again).
    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, Failure> {
        self.calls += 1;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("accept", "application/json");
        if let Some(authorization) = &self.authorization {
            request = request.header("authorization", authorization);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        match request.send().await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                self.last_status = Some(status);
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<i64>().ok());
                let text = first_bytes(&mut response, usize::MAX).await;
                Ok(Reply {
                    status,
                    body: serde_json::from_str(&text).unwrap_or(Value::Null),
                    retry_after,
                    text: text.chars().take(crate::attempt::RESPONSE_BYTES).collect(),
                })
            }
            Err(e) => Err(Failure {
                status: None,
                // The URL may name the brand's account: never kept.
                error: Some(crate::attempt::transport_error(&e).into()),
                outcome: Outcome::TryAgain,
                retry_after: None,
                response: String::new(),
            }),
        }
    }

    /// What the delivery log keeps: `done` (a summary of what the tool now holds) or why not.
    pub fn tried(self, done: Result<String, Failure>) -> Tried {
        let latency_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match done {
            Ok(summary) => Tried {
                attempt: Attempt {
                    at: self.at,
                    status: self.last_status,
                    error: None,
                    latency_ms,
                    response: summary,
                },
                outcome: Outcome::Delivered,
                retry_after: None,
            },
            Err(failure) => Tried {
                attempt: Attempt {
                    at: self.at,
                    status: failure.status,
                    error: failure.error,
                    latency_ms,
                    response: failure.response,
                },
                outcome: failure.outcome,
                retry_after: failure.retry_after,
            },
        }
    }
}

/// Endpoint `endpoint`'s sealed credential (a connector's API token, a chat's hook URL:
/// `what`), opened; else the refusal to log, since trying again cannot open it.
pub fn credential(
    deps: &crate::Deps,
    endpoint: &shared::contracts::deliveries::endpoints::Endpoint,
    what: &str,
    now: DateTime<Utc>,
) -> Result<String, Tried> {
    match deps.endpoints.api_token(endpoint) {
        Ok(Some(opened)) => Ok(opened),
        Ok(None) => Err(Tried::refused(now, format!("the endpoint has no {what}"))),
        Err(e) => Err(Tried::refused(now, format!("its {what} is unusable: {e}"))),
    }
}

/// The event's body as JSON (its `data` is what connectors read).
pub fn payload(event: &shared::contracts::deliveries::store::Recorded) -> Result<Value, Failure> {
    serde_json::from_str(&event.payload)
        .map_err(|e| Failure::refused(format!("the event is unreadable: {e}")))
}

/// The tool's answer when it is a success, else the failure it is.
pub fn success(reply: Reply) -> Result<Reply, Failure> {
    if reply.ok() {
        Ok(reply)
    } else {
        Err(Failure::answered(reply))
    }
}

/// A tool's id: Zendesk's are integers, HubSpot's numeric strings.
pub fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub fn text<'v>(value: &'v Value, name: &str) -> Result<&'v str, Failure> {
    value[name]
        .as_str()
        .ok_or_else(|| Failure::refused(format!("the event has no {name}")))
}

pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Liaison's own table failing: tried again like an unanswered call.
pub fn transient(e: shared::Error) -> Failure {
    Failure {
        status: None,
        error: Some(format!("Liaison could not record the link: {e}")),
        outcome: shared::contracts::deliveries::schedule::Outcome::TryAgain,
        retry_after: None,
        response: String::new(),
    }
}

/// What the tool calls Liaison's `what` `id` at endpoint `endpoint_id`, if it was linked.
pub async fn linked(
    links: &Links,
    endpoint_id: &str,
    what: Linked,
    id: &str,
) -> Result<Option<Link>, Failure> {
    links.get(endpoint_id, what, id).await.map_err(transient)
}

/// Links Liaison's `what` `id` to the tool's `external` at endpoint `endpoint_id`.
pub async fn link(
    links: &Links,
    endpoint_id: &str,
    (what, id): (Linked, &str),
    external: &str,
    at: DateTime<Utc>,
) -> Result<(), Failure> {
    links
        .put(endpoint_id, what, id, external, at)
        .await
        .map_err(transient)
}
