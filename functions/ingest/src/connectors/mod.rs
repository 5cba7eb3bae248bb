//! One module per platform. A connector knows its platform's handshake, its signature
//! scheme, its deduplication key and how to map its payloads to Liaison's events; the
//! pipeline (`pipeline.rs`) does the rest the same way for all of them. Adding a
//! platform is adding a module here and a line in [`for_platform`].

pub mod blog;
pub mod discourse;
pub mod hubspot;
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
pub mod zendesk;

use shared::contracts::sources::{Platform, Source};
use shared::kit::http::Response;
use shared::Error;

use crate::request::{HookRequest, Limits, Parsed};

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
        Platform::Zendesk => &zendesk::Zendesk,
        Platform::HubSpot => &hubspot::HubSpot,
    }
}
