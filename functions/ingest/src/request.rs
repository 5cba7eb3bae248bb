//! What a webhook request holds once it has been read, at the bottom of the crate: the
//! request as connectors see it, the events and ignored parts they find in it, the report of
//! what was done to a `social.connected` list, and the limits a body must keep. Every other
//! module uses these; this one uses none of them.

use aws_lambda_events::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use shared::contracts::events::{Chunk, Event};
use shared::Error;

/// What a connector sees of a webhook request.
pub struct HookRequest<'a> {
    pub method: &'a str,
    /// The URL the sender called, as it signs it (HubSpot):
    /// `https://{domain}{path}[?{query}]`.
    pub url: &'a str,
    pub headers: &'a HeaderMap,
    pub query: &'a aws_lambda_events::query_map::QueryMap,
    /// The exact bytes received (base64 already undone).
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

impl HookRequest<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.first(name)
    }
}

/// One event found in a verified request, with the key that identifies it across retries.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    pub dedupe_key: String,
    pub event: Event,
}

/// Something in a verified request that Liaison does not act on. It is still answered 2xx
/// (so the platform neither retries forever nor disables the hook), recorded with the raw
/// body, and counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// A short, stable code: a metric dimension (`unsupported_event`, `own_post`...).
    pub reason: &'static str,
    /// What exactly (the topic, the item type): for the record, not for the metric.
    pub detail: String,
}

/// What a verified request holds. Both lists empty means a ping: nothing to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub events: Vec<Normalised>,
    pub ignored: Vec<Ignored>,
    /// What was done to the input, for the answer (`social.connected`: connections
    /// dropped, merged, cleared).
    pub report: Option<Report>,
}

impl Parsed {
    pub fn one(dedupe_key: impl Into<String>, event: Event) -> Self {
        Parsed {
            events: vec![Normalised {
                dedupe_key: dedupe_key.into(),
                event,
            }],
            ignored: Vec::new(),
            report: None,
        }
    }

    pub fn ignored(reason: &'static str, detail: impl Into<String>) -> Self {
        Parsed {
            events: Vec::new(),
            ignored: vec![Ignored {
                reason,
                detail: detail.into(),
            }],
            report: None,
        }
    }

    pub fn ping() -> Self {
        Parsed::default()
    }

    pub fn push(&mut self, dedupe_key: impl Into<String>, event: Event) {
        self.events.push(Normalised {
            dedupe_key: dedupe_key.into(),
            event,
        });
    }

    pub fn ignore(&mut self, reason: &'static str, detail: impl Into<String>) {
        self.ignored.push(Ignored {
            reason,
            detail: detail.into(),
        });
    }
}

/// The reason under which a connector ignores a private conversation.
pub const PRIVATE_MESSAGE: &str = "private_message";

pub struct Limits {
    pub max_body_bytes: usize,
    /// The body limit of a `social.connected` chunk (5,000 connections at most): larger than
    /// other events', and with API Gateway's base64 and JSON escaping still well under
    /// Lambda's 6 MB invocation payload.
    pub max_social_body_bytes: usize,
    /// How long an ignored body is kept for staff to look at.
    pub ignored_retention: Duration,
}

impl Limits {
    /// 413 when a body of `len` bytes is over the ordinary limit.
    pub fn check_body(&self, len: usize) -> Result<(), Error> {
        if len > self.max_body_bytes {
            return Err(Error::PayloadTooLarge(format!(
                "body is {len} bytes; the limit is {}",
                self.max_body_bytes
            )));
        }
        Ok(())
    }
}

/// What ingest did to the connections of one request: the 202 (or 200) says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Entries in the request.
    pub received: usize,
    /// Connections kept and queued.
    pub accepted: usize,
    pub dropped: Dropped,
    pub cleared: Cleared,
    pub chunk: Chunk,
}

/// Entries not kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// The customer's own account (its id, or its handle).
    pub self_connection: usize,
    /// A second entry with an id already seen: merged into the first.
    pub duplicate: usize,
    /// No id (missing, empty, `0`) or an id over 256 bytes.
    pub invalid: usize,
}

/// Values removed from kept entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cleared {
    /// A strength outside 0..=1 (or not a number).
    pub strength: usize,
    /// A handle over 256 bytes.
    pub handle: usize,
    /// A name over 256 bytes.
    pub name: usize,
}

impl Report {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "received": self.received,
            "accepted": self.accepted,
            "dropped": {
                "self": self.dropped.self_connection,
                "duplicate": self.dropped.duplicate,
                "invalid": self.dropped.invalid,
            },
            "cleared": {
                "strength": self.cleared.strength,
                "handle": self.cleared.handle,
                "name": self.cleared.name,
            },
            "chunk": {"index": self.chunk.index, "count": self.chunk.count},
        })
    }
}
