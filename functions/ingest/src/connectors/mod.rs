//! One module per platform. A connector knows its platform's handshake, its signature
//! scheme, its deduplication key and how to map its payloads to Liaison's events; the
//! pipeline (`crate::pipeline`) does the rest the same way for all of them. Adding a
//! platform is adding a module here and a line in [`for_platform`].

pub mod standard_webhooks;

use aws_lambda_events::http::HeaderMap;
use chrono::{DateTime, Utc};
use shared::events::Event;
use shared::http::Response;
use shared::source::{Platform, Source};
use shared::Error;

/// What a connector sees of a webhook request.
pub struct HookRequest<'a> {
    pub method: &'a str,
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
}

/// One event found in a verified request, with the key that identifies it across retries.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    pub dedupe_key: String,
    pub event: Event,
}

pub trait Connector: Send + Sync {
    /// Answers the platform's handshake (subscription verification, challenge, ping) when
    /// `req` is one; `None` when it is an ordinary delivery.
    fn handshake(
        &self,
        _req: &HookRequest<'_>,
        _source: &Source,
    ) -> Option<Result<Response, Error>> {
        None
    }

    /// Checks the signature on the raw bytes; `Err(Unauthorized)` when it does not hold.
    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error>;

    /// Maps a verified request to events (several for platforms that batch).
    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Vec<Normalised>, Error>;
}

pub fn for_platform(platform: Platform) -> &'static dyn Connector {
    match platform {
        Platform::StandardWebhooks => &standard_webhooks::StandardWebhooks,
    }
}
