//! One module per platform. A connector knows its platform's handshake, its signature
//! scheme, its deduplication key and how to map its payloads to Liaison's events; the
//! pipeline (`crate::pipeline`) does the rest the same way for all of them. Adding a
//! platform is adding a module here and a line in [`for_platform`].

pub mod discourse;
pub mod meta;
pub mod shopify;
pub mod standard_webhooks;
#[cfg(test)]
pub mod testing;
pub mod trustpilot;
pub mod woocommerce;
pub mod wordpress;
pub mod x;
pub mod youtube;

use aws_lambda_events::http::HeaderMap;
use chrono::{DateTime, Utc};
use shared::contracts::events::Event;
use shared::contracts::sources::{Platform, Source};
use shared::kit::http::Response;
use shared::Error;

use crate::social::Report;
use crate::Limits;

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

    /// Refuses a verified body over its size limit (413), before it is parsed.
    fn check_size(&self, req: &HookRequest<'_>, limits: &Limits) -> Result<(), Error> {
        limits.check_body(req.body.len())
    }

    /// Maps a verified request to events (several for platforms that batch).
    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Parsed, Error>;

    /// The platform's name for this event (its topic header), kept with ignored bodies.
    fn event_name<'a>(&self, _req: &'a HookRequest<'_>) -> Option<&'a str> {
        None
    }

    /// Whether a verified body that does not parse is the sender's error (400). True only
    /// for Liaison's own envelope, whose senders read our errors. A platform cannot fix its
    /// payload: an error would make it retry, then disable the hook, so such bodies are
    /// accepted and recorded as ignored instead.
    fn strict(&self) -> bool {
        false
    }
}

pub fn for_platform(platform: Platform) -> &'static dyn Connector {
    match platform {
        Platform::StandardWebhooks => &standard_webhooks::StandardWebhooks,
        Platform::Shopify => &shopify::Shopify,
        Platform::WooCommerce => &woocommerce::WooCommerce,
        Platform::WordPress => &wordpress::WordPress,
        Platform::Discourse => &discourse::Discourse,
        Platform::Meta => &meta::Meta,
        Platform::X => &x::X,
        Platform::YouTube => &youtube::YouTube,
        Platform::Trustpilot => &trustpilot::Trustpilot,
    }
}
