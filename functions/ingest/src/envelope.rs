//! Liaison's generic envelope (docs/ingest.md, JSON Schema in docs/ingest.schema.json):
//! `{"type", "timestamp", "data"}`, where `type` is one of
//! `contribution.created|updated|deleted`, `cart.updated`, `checkout.updated`, `order.placed`,
//! `order.shipped`, `order.delivered`, `social.connected`, `social.disconnected` (the last two
//! in [`crate::social`]).
//!
//! Parsing reports the path of the first field that is wrong (`data.author.email`), so a
//! sender can fix its payload from the 400 alone.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use shared::contracts::events::{
    Address, Author, BuyerSignals, CartSnapshot, CartStage, CommerceEvent, Contribution,
    ContributionAction, ContributionKind, Customer, Event, Line, ModerationState, Order,
    OrderStatus, OrderUpdate, Tracking,
};
use shared::kit::json::from_slice;
use shared::Error;

use crate::request::Report;
use crate::social;
use crate::validate::{email_address, optional_text, required_text, truncate};

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[allow(dead_code)]
    #[serde(default)]
    timestamp: Option<DateTime<Utc>>,
    data: Box<serde_json::value::RawValue>,
}

#[derive(Deserialize)]
struct ContributionData {
    id: String,
    kind: ContributionKind,
    #[serde(default)]
    text: String,
    created_at: DateTime<Utc>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    thread: Option<Thread>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    moderation: Option<ModerationState>,
    #[serde(default)]
    rating: Option<u8>,
    author: AuthorData,
}

#[derive(Deserialize)]
struct Thread {
    id: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
struct AuthorData {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    handle: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    followers: Option<u64>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    verified: bool,
}

#[derive(Deserialize)]
struct CartData {
    id: String,
    #[serde(default)]
    checkout_id: Option<String>,
    #[serde(default)]
    customer: CustomerData,
    currency: String,
    #[serde(default)]
    lines: Vec<LineData>,
    total: Decimal,
    #[serde(default)]
    recovery_url: Option<String>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    completed_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct OrderData {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    cart_id: Option<String>,
    #[serde(default)]
    checkout_id: Option<String>,
    #[serde(default)]
    customer: CustomerData,
    currency: String,
    #[serde(default)]
    lines: Vec<LineData>,
    total: Decimal,
    placed_at: DateTime<Utc>,
    #[serde(default)]
    referral_code: Option<String>,
    #[serde(default)]
    client_ip: Option<String>,
    #[serde(default)]
    shipping_address: Option<AddressData>,
    #[serde(default)]
    payment_fingerprint: Option<String>,
}

/// `order.shipped` and `order.delivered`: the type says which news it is.
#[derive(Deserialize)]
struct OrderUpdateData {
    /// The order's id, as in `order.placed`.
    id: String,
    /// How the shop names the order to its customer (`#1001`).
    #[serde(default)]
    name: Option<String>,
    /// The shipment this news is about, when an order ships in several parts.
    #[serde(default)]
    shipment_id: Option<String>,
    #[serde(default)]
    customer: CustomerData,
    #[serde(default)]
    tracking: Option<TrackingData>,
    at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct TrackingData {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    carrier: Option<String>,
}

#[derive(Deserialize, Default)]
struct AddressData {
    #[serde(default)]
    line1: Option<String>,
    #[serde(default)]
    line2: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

#[derive(Deserialize, Default)]
struct CustomerData {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    accepts_marketing: Option<bool>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
}

#[derive(Deserialize)]
struct LineData {
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default)]
    variant_id: Option<String>,
    #[serde(default)]
    sku: Option<String>,
    title: String,
    quantity: u32,
    unit_price: Decimal,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

const MAX_ID: usize = 256;
const MAX_TEXT: usize = 64 * 1024;
const MAX_SHORT: usize = 1024;
const MAX_LINES: usize = 500;

/// Parses and validates an envelope into a normalised event.
pub fn parse(body: &[u8]) -> Result<Event, Error> {
    parse_with_report(body).map(|(event, _)| event)
}

/// [`parse`], with what was done to the input when the sender should be told
/// (`social.connected`: connections dropped, merged, cleared).
pub fn parse_with_report(body: &[u8]) -> Result<(Event, Option<Report>), Error> {
    let envelope: Envelope = from_slice(body, "")?;
    // `data` is kept as its raw bytes and parsed once, into the type `type` names.
    let data = envelope.data.get();
    let event = match envelope.kind.as_str() {
        "contribution.created" => contribution(data, ContributionAction::Created),
        "contribution.updated" => contribution(data, ContributionAction::Updated),
        "contribution.deleted" => contribution(data, ContributionAction::Deleted),
        "cart.updated" => cart(data, CartStage::Cart),
        "checkout.updated" => cart(data, CartStage::Checkout),
        "order.placed" => order(data),
        "order.shipped" => order_update(data, OrderStatus::Shipped),
        "order.delivered" => order_update(data, OrderStatus::Delivered),
        SOCIAL_CONNECTED => {
            return social::connected(data).map(|(event, report)| (event, Some(report)))
        }
        "social.disconnected" => social::disconnected(data),
        other => Err(Error::validation(
            "type",
            format!(
                "unknown event type {:?}; expected contribution.created, contribution.updated, contribution.deleted, cart.updated, checkout.updated, order.placed, order.shipped, order.delivered, social.connected or social.disconnected",
                truncate(other, 64)
            ),
        )),
    }?;
    Ok((event, None))
}

pub const SOCIAL_CONNECTED: &str = "social.connected";

/// The envelope's `type` alone (`None` when the body is not an envelope): to choose a size
/// limit before parsing. The rest is skipped, not kept.
pub fn type_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct TypeOnly {
        #[serde(rename = "type")]
        kind: String,
    }
    serde_json::from_slice::<TypeOnly>(body)
        .ok()
        .map(|t| t.kind)
}

fn contribution(data: &str, action: ContributionAction) -> Result<Event, Error> {
    let d: ContributionData = from_slice(data.as_bytes(), "data")?;
    required_text("data.id", &d.id, MAX_ID)?;
    if d.text.len() > MAX_TEXT {
        return Err(Error::validation(
            "data.text",
            format!("at most {MAX_TEXT} bytes"),
        ));
    }
    if action != ContributionAction::Deleted && d.text.trim().is_empty() {
        return Err(Error::validation("data.text", "must not be empty"));
    }
    optional_url("data.url", d.url.as_deref())?;
    optional_url("data.author.url", d.author.url.as_deref())?;
    if let Some(email) = &d.author.email {
        email_address("data.author.email", email)?;
    }
    let a = &d.author;
    let has_identity = [&a.email, &a.handle, &a.id, &a.name]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    if !has_identity {
        return Err(Error::validation(
            "data.author",
            "needs at least one of email, handle, id or name",
        ));
    }
    for (field, value) in [
        ("data.author.name", &a.name),
        ("data.author.handle", &a.handle),
        ("data.author.id", &a.id),
        ("data.parent_id", &d.parent_id),
        ("data.language", &d.language),
    ] {
        optional_text(field, value.as_deref(), MAX_SHORT)?;
    }
    if let Some(thread) = &d.thread {
        required_text("data.thread.id", &thread.id, MAX_ID)?;
        optional_text("data.thread.title", thread.title.as_deref(), MAX_SHORT)?;
    }
    match (d.kind, d.rating) {
        (ContributionKind::Review, Some(r)) if (1..=5).contains(&r) => {}
        (ContributionKind::Review, Some(_)) => {
            return Err(Error::validation("data.rating", "must be 1 to 5"))
        }
        (_, Some(_)) => {
            return Err(Error::validation(
                "data.rating",
                "only reviews carry a rating",
            ))
        }
        (_, None) => {}
    }
    let (thread_id, thread_title) = d
        .thread
        .map(|t| (Some(t.id), t.title))
        .unwrap_or((None, None));
    Ok(Event::Contribution(Contribution {
        action,
        kind: d.kind,
        external_id: d.id,
        thread_id,
        thread_title,
        parent_id: d.parent_id,
        permalink: d.url,
        author: Author {
            name: d.author.name,
            email: d.author.email.map(|e| e.trim().to_string()),
            handle: d.author.handle,
            platform_user_id: d.author.id,
            audience: shared::contracts::events::Audience {
                followers: d.author.followers,
                ..Default::default()
            },
            url: d.author.url,
            bio: None,
            verified: d.author.verified,
        },
        text: d.text,
        language: d.language,
        created_at: d.created_at,
        updated_at: d.updated_at,
        moderation: d.moderation.unwrap_or(ModerationState::Published),
        rating: d.rating,
    }))
}

fn cart(data: &str, stage: CartStage) -> Result<Event, Error> {
    let d: CartData = from_slice(data.as_bytes(), "data")?;
    required_text("data.id", &d.id, MAX_ID)?;
    optional_text("data.checkout_id", d.checkout_id.as_deref(), MAX_ID)?;
    optional_url("data.recovery_url", d.recovery_url.as_deref())?;
    let customer = customer(d.customer)?;
    let currency = currency("data.currency", &d.currency)?;
    let lines = lines(d.lines)?;
    amount("data.total", d.total)?;
    Ok(Event::Commerce(CommerceEvent::Cart(CartSnapshot {
        stage,
        cart_id: d.id,
        checkout_id: d.checkout_id,
        customer,
        currency,
        lines,
        total: d.total,
        recovery_url: d.recovery_url,
        updated_at: d.updated_at,
        completed_at: d.completed_at,
    })))
}

fn order(data: &str) -> Result<Event, Error> {
    let d: OrderData = from_slice(data.as_bytes(), "data")?;
    required_text("data.id", &d.id, MAX_ID)?;
    optional_text("data.cart_id", d.cart_id.as_deref(), MAX_ID)?;
    optional_text("data.checkout_id", d.checkout_id.as_deref(), MAX_ID)?;
    optional_text("data.referral_code", d.referral_code.as_deref(), MAX_ID)?;
    optional_text("data.name", d.name.as_deref(), MAX_ID)?;
    let signals = signals(d.client_ip, d.shipping_address, d.payment_fingerprint)?;
    let customer = customer(d.customer)?;
    let currency = currency("data.currency", &d.currency)?;
    let lines = lines(d.lines)?;
    amount("data.total", d.total)?;
    Ok(Event::Commerce(CommerceEvent::Order(Order {
        order_id: d.id,
        order_name: d.name,
        cart_id: d.cart_id,
        checkout_id: d.checkout_id,
        customer,
        currency,
        lines,
        total: d.total,
        placed_at: d.placed_at,
        referral_code: d.referral_code,
        signals,
    })))
}

/// The news of an order: it goes to its customer by direct message, so its link is an
/// http(s) URL and its texts are short.
fn order_update(data: &str, status: OrderStatus) -> Result<Event, Error> {
    let d: OrderUpdateData = from_slice(data.as_bytes(), "data")?;
    required_text("data.id", &d.id, MAX_ID)?;
    optional_text("data.name", d.name.as_deref(), MAX_ID)?;
    optional_text("data.shipment_id", d.shipment_id.as_deref(), MAX_ID)?;
    let customer = customer(d.customer)?;
    let tracking = match d.tracking {
        None => None,
        Some(t) => {
            optional_text("data.tracking.number", t.number.as_deref(), MAX_ID)?;
            optional_text("data.tracking.carrier", t.carrier.as_deref(), MAX_ID)?;
            optional_url("data.tracking.url", t.url.as_deref())?;
            let tracking = Tracking {
                number: t.number,
                url: t.url,
                carrier: t.carrier,
            };
            // `"tracking": {}` says no more than no tracking at all.
            (tracking != Tracking::default()).then_some(tracking)
        }
    };
    Ok(Event::Commerce(CommerceEvent::OrderUpdate(OrderUpdate {
        order_id: d.id,
        order_name: d.name,
        shipment_id: d.shipment_id,
        customer,
        status,
        tracking,
        at: d.at,
    })))
}

/// What the order says of its buyer for anti-fraud: an IP that parses, short address
/// fields, an opaque payment fingerprint.
fn signals(
    client_ip: Option<String>,
    address: Option<AddressData>,
    payment_fingerprint: Option<String>,
) -> Result<BuyerSignals, Error> {
    if let Some(ip) = &client_ip {
        ip.trim()
            .parse::<std::net::IpAddr>()
            .map_err(|_| Error::validation("data.client_ip", "not an IPv4 or IPv6 address"))?;
    }
    optional_text(
        "data.payment_fingerprint",
        payment_fingerprint.as_deref(),
        MAX_ID,
    )?;
    let shipping_address = match address {
        None => None,
        Some(a) => {
            for (field, value) in [
                ("data.shipping_address.line1", &a.line1),
                ("data.shipping_address.line2", &a.line2),
                ("data.shipping_address.city", &a.city),
                ("data.shipping_address.postal_code", &a.postal_code),
                ("data.shipping_address.country", &a.country),
            ] {
                optional_text(field, value.as_deref(), MAX_ID)?;
            }
            Some(Address {
                line1: a.line1,
                line2: a.line2,
                city: a.city,
                postal_code: a.postal_code,
                country: a.country,
            })
        }
    };
    Ok(BuyerSignals {
        client_ip: client_ip.map(|ip| ip.trim().to_string()),
        shipping_address,
        payment_fingerprint,
    })
}

fn customer(c: CustomerData) -> Result<Customer, Error> {
    if let Some(email) = &c.email {
        email_address("data.customer.email", email)?;
    }
    for (field, value) in [
        ("data.customer.id", &c.id),
        ("data.customer.first_name", &c.first_name),
        ("data.customer.last_name", &c.last_name),
        ("data.customer.locale", &c.locale),
        ("data.customer.time_zone", &c.time_zone),
    ] {
        optional_text(field, value.as_deref(), MAX_SHORT)?;
    }
    Ok(Customer {
        id: c.id,
        email: c.email.map(|e| e.trim().to_string()),
        first_name: c.first_name,
        last_name: c.last_name,
        accepts_marketing: c.accepts_marketing,
        locale: c.locale,
        time_zone: c.time_zone,
    })
}

fn lines(items: Vec<LineData>) -> Result<Vec<Line>, Error> {
    if items.len() > MAX_LINES {
        return Err(Error::validation(
            "data.lines",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let field = |name: &str| format!("data.lines[{i}].{name}");
            required_text(&field("title"), &l.title, MAX_SHORT)?;
            if l.quantity == 0 {
                return Err(Error::validation(field("quantity"), "must be at least 1"));
            }
            amount(&field("unit_price"), l.unit_price)?;
            optional_url(&field("image_url"), l.image_url.as_deref())?;
            optional_url(&field("url"), l.url.as_deref())?;
            Ok(Line {
                product_id: l.product_id,
                variant_id: l.variant_id,
                sku: l.sku,
                title: l.title,
                quantity: l.quantity,
                unit_price: l.unit_price,
                image_url: l.image_url,
                url: l.url,
            })
        })
        .collect()
}

fn optional_url(field: &str, value: Option<&str>) -> Result<(), Error> {
    match value {
        None => Ok(()),
        Some(v)
            if (v.starts_with("https://") || v.starts_with("http://"))
                && v.len() <= 2048
                && !v.contains(char::is_whitespace) =>
        {
            Ok(())
        }
        Some(_) => Err(Error::validation(
            field,
            "must be an http(s) URL of at most 2048 characters",
        )),
    }
}

fn currency(field: &str, value: &str) -> Result<String, Error> {
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(Error::validation(
            field,
            "must be an ISO 4217 code such as EUR",
        ))
    }
}

/// An amount as a shop could send it: not negative, not beyond any real order.
fn amount(field: &str, value: Decimal) -> Result<(), Error> {
    if value.is_sign_negative() && !value.is_zero() {
        Err(Error::validation(field, "must not be negative"))
    } else if value > shared::contracts::events::MAX_AMOUNT {
        Err(Error::validation(
            field,
            "is beyond any real amount (at most 1,000,000,000,000)",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/events/standard-webhooks/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn field_of(body: &str) -> String {
        match parse(body.as_bytes()).unwrap_err() {
            Error::Validation { field, .. } => field.unwrap_or_default(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_comment_fixture_should_normalise() {
        let Event::Contribution(c) = parse(&fixture("comment-created.json")).unwrap() else {
            panic!("expected a contribution");
        };
        assert_eq!(c.kind, ContributionKind::Comment);
        assert_eq!(c.action, ContributionAction::Created);
        assert_eq!(c.moderation, ModerationState::Pending);
        assert_eq!(c.author.email.as_deref(), Some("marie.dupont@example.fr"));
        assert_eq!(c.thread_id.as_deref(), Some("post-42"));
        assert!(!c.author.verified);
    }

    #[test]
    fn a_review_fixture_should_keep_its_rating() {
        let Event::Contribution(c) = parse(&fixture("review-created.json")).unwrap() else {
            panic!("expected a contribution");
        };
        assert_eq!(c.rating, Some(2));
        assert_eq!(c.kind, ContributionKind::Review);
    }

    #[test]
    fn cart_and_order_fixtures_should_normalise() {
        let Event::Commerce(CommerceEvent::Cart(cart)) =
            parse(&fixture("checkout-updated.json")).unwrap()
        else {
            panic!("expected a cart");
        };
        assert_eq!(cart.stage, CartStage::Checkout);
        assert_eq!(cart.currency, "EUR");
        assert_eq!(cart.lines.len(), 2);
        assert_eq!(cart.total, "84.90".parse::<Decimal>().unwrap());
        assert_eq!(cart.customer.accepts_marketing, Some(true));
        let Event::Commerce(CommerceEvent::Order(order)) =
            parse(&fixture("order-placed.json")).unwrap()
        else {
            panic!("expected an order");
        };
        assert_eq!(order.checkout_id.as_deref(), Some("chk_7781"));
        assert_eq!(
            order.referral_code.as_deref(),
            Some("r_k7q2m4xw9z3b5n8c6d1f0g2h4j")
        );
        assert_eq!(order.signals.client_ip.as_deref(), Some("198.51.100.23"));
        assert_eq!(
            order.signals.payment_fingerprint.as_deref(),
            Some("fp_Xa81Lq0s2KpB")
        );
        let address = order.signals.shipping_address.unwrap();
        assert_eq!(address.postal_code.as_deref(), Some("75011"));
    }

    #[test]
    fn order_news_should_normalise_with_the_status_its_type_names() {
        let Event::Commerce(CommerceEvent::OrderUpdate(news)) =
            parse(&fixture("order-shipped.json")).unwrap()
        else {
            panic!("expected order news");
        };
        assert_eq!(news.status, OrderStatus::Shipped);
        assert_eq!(news.order_id, "ord_10433");
        assert_eq!(news.order_name.as_deref(), Some("#10433"));
        assert_eq!(news.shipment_id.as_deref(), Some("shp_10433_1"));
        assert_eq!(
            news.customer.email.as_deref(),
            Some("paul.martin@example.org")
        );
        let tracking = news.tracking.unwrap();
        assert_eq!(tracking.number.as_deref(), Some("6A26112400433"));
        assert_eq!(tracking.carrier.as_deref(), Some("Colissimo"));
        assert!(tracking.url.unwrap().starts_with("https://www.laposte.fr/"));
        let delivered = r#"{"type":"order.delivered","data":{"id":"ord_10433","at":"2026-11-26T10:00:00Z","tracking":{}}}"#;
        let Event::Commerce(CommerceEvent::OrderUpdate(news)) =
            parse(delivered.as_bytes()).unwrap()
        else {
            panic!("expected order news");
        };
        assert_eq!(news.status, OrderStatus::Delivered);
        assert_eq!((news.order_name, news.shipment_id), (None, None));
        assert_eq!(news.tracking, None, "an empty tracking is no tracking");
    }

    #[test]
    fn when_order_news_is_wrong_should_name_the_field() {
        let base =
            r#"{"type":"order.shipped","data":{"id":"o1","at":"2026-11-24T09:14:32Z",EXTRA}}"#;
        let with = |extra: &str| base.replace("EXTRA", extra);
        assert!(parse(with(r##""name":"#1""##).as_bytes()).is_ok());
        assert_eq!(
            field_of(&with(r#""tracking":{"url":"javascript:alert(1)"}"#)),
            "data.tracking.url"
        );
        let long = "x".repeat(300);
        assert_eq!(
            field_of(&with(&format!(r#""tracking":{{"number":"{long}"}}"#))),
            "data.tracking.number"
        );
        assert_eq!(
            field_of(&with(&format!(r#""shipment_id":"{long}""#))),
            "data.shipment_id"
        );
        assert_eq!(
            field_of(&with(r#""customer":{"email":"nope"}"#)),
            "data.customer.email"
        );
        assert_eq!(
            field_of(r#"{"type":"order.shipped","data":{"id":"o1"}}"#),
            "data.at"
        );
        assert_eq!(
            field_of(r#"{"type":"order.delivered","data":{"id":" ","at":"2026-11-24T09:14:32Z"}}"#),
            "data.id"
        );
        let err = parse(br#"{"type":"order.updated","data":{}}"#).unwrap_err();
        assert!(
            err.to_string().contains("order.shipped, order.delivered"),
            "{err}"
        );
    }

    #[test]
    fn when_buyer_signals_are_wrong_should_name_the_field() {
        let base = r#"{"type":"order.placed","data":{"id":"o1","currency":"EUR","total":"1","placed_at":"2026-11-23T10:00:00Z",EXTRA}}"#;
        let with = |extra: &str| base.replace("EXTRA", extra);
        assert!(parse(with(r#""client_ip":"2001:db8::1""#).as_bytes()).is_ok());
        assert_eq!(
            field_of(&with(r#""client_ip":"localhost""#)),
            "data.client_ip"
        );
        let long = "x".repeat(300);
        assert_eq!(
            field_of(&with(&format!(
                r#""shipping_address":{{"line1":"{long}"}}"#
            ))),
            "data.shipping_address.line1"
        );
        assert_eq!(
            field_of(&with(&format!(r#""payment_fingerprint":"{long}""#))),
            "data.payment_fingerprint"
        );
    }

    #[test]
    fn when_json_is_malformed_should_say_body() {
        assert_eq!(field_of("{\"type\": "), "body");
        assert_eq!(field_of("[]"), "body");
    }

    #[test]
    fn when_a_field_is_missing_or_wrong_should_name_it() {
        assert_eq!(field_of(r#"{"data":{}}"#), "type");
        assert_eq!(field_of(r#"{"type":"nope","data":{}}"#), "type");
        let base = r#"{"type":"contribution.created","data":{"id":"c1","kind":"comment","text":"hi","created_at":"2026-11-23T10:00:00Z","author":{"email":"EMAIL"}}}"#;
        assert_eq!(
            field_of(&base.replace("EMAIL", "not-an-email")),
            "data.author.email"
        );
        assert_eq!(
            field_of(&base.replace(r#""kind":"comment""#, r#""kind":"poem""#)),
            "data.kind"
        );
        assert_eq!(
            field_of(&base.replace(
                r#""created_at":"2026-11-23T10:00:00Z""#,
                r#""created_at":"yesterday""#
            )),
            "data.created_at"
        );
        assert_eq!(field_of(&base.replace(r#""id":"c1","#, "")), "data.id");
        assert_eq!(
            field_of(&base.replace(r#""text":"hi""#, r#""text":"  ""#)),
            "data.text"
        );
        assert_eq!(
            field_of(&base.replace(r#"{"email":"EMAIL"}"#, "{}")),
            "data.author"
        );
        assert_eq!(
            field_of(
                &base
                    .replace("EMAIL", "a@b.co")
                    .replace(r#""kind":"comment""#, r#""kind":"comment","rating":4"#)
            ),
            "data.rating"
        );
        assert!(parse(base.replace("EMAIL", "a@b.co").as_bytes()).is_ok());
    }

    #[test]
    fn when_commerce_values_are_wrong_should_name_the_field() {
        let base = r#"{"type":"cart.updated","data":{"id":"k1","currency":"CUR","total":"TOTAL","updated_at":"2026-11-23T10:00:00Z","lines":[{"title":"Mug","quantity":QTY,"unit_price":"12.50"}]}}"#;
        let body = |cur: &str, total: &str, qty: &str| {
            base.replace("CUR", cur)
                .replace("TOTAL", total)
                .replace("QTY", qty)
        };
        assert!(parse(body("eur", "12.50", "1").as_bytes()).is_ok());
        assert_eq!(field_of(&body("EURO", "12.50", "1")), "data.currency");
        assert_eq!(field_of(&body("EUR", "-1", "1")), "data.total");
        assert_eq!(field_of(&body("EUR", "abc", "1")), "data.total");
        assert_eq!(field_of(&body("EUR", "1", "0")), "data.lines[0].quantity");
        assert_eq!(
            field_of(&body("EUR", "79228162514264337593543950335", "1")),
            "data.total"
        );
        assert_eq!(field_of(&body("EUR", "1", "-2")), "data.lines[0].quantity");
    }

    #[test]
    fn social_fixtures_should_normalise_with_their_report() {
        let (event, report) = parse_with_report(&fixture("social-connected.json")).unwrap();
        let Event::Social(shared::contracts::events::SocialEvent::Connected(c)) = event else {
            panic!("expected social.connected");
        };
        let report = report.expect("a report");
        assert_eq!(c.account.platform, "instagram");
        assert_eq!(c.connections.len(), 4);
        assert_eq!((report.received, report.accepted), (7, 4), "{:?}", report);
        assert_eq!(report.dropped.self_connection, 1);
        assert_eq!(report.dropped.duplicate, 1);
        assert_eq!(report.dropped.invalid, 1);
        assert_eq!(report.cleared.strength, 1);
        assert_eq!(
            c.connections[2].relation,
            shared::contracts::events::Relation::Friend,
            "follower and followed: mutual"
        );
        let (event, report) = parse_with_report(&fixture("social-disconnected.json")).unwrap();
        assert!(matches!(
            event,
            Event::Social(shared::contracts::events::SocialEvent::Disconnected(_))
        ));
        assert!(report.is_none());
    }

    #[test]
    fn the_type_alone_should_be_readable_for_the_size_limit() {
        assert_eq!(
            type_of(&fixture("social-connected.json")).as_deref(),
            Some(SOCIAL_CONNECTED)
        );
        assert_eq!(
            type_of(br#"{"data":{"a":[1,2]},"type":"order.placed"}"#).as_deref(),
            Some("order.placed")
        );
        assert_eq!(type_of(b"{not json"), None);
        let err = parse(br#"{"type":"social.poked","data":{}}"#).unwrap_err();
        assert!(err.to_string().contains("social.connected"), "{err}");
    }

    #[test]
    fn big_ids_should_stay_exact_strings() {
        let body = r#"{"type":"contribution.created","data":{"id":"1876543210987654321","kind":"mention","text":"hi","created_at":"2026-11-23T10:00:00Z","author":{"id":"1876543210987654322","handle":"@x"}}}"#;
        let Event::Contribution(c) = parse(body.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(c.external_id, "1876543210987654321");
        assert_eq!(
            c.author.platform_user_id.as_deref(),
            Some("1876543210987654322")
        );
    }
}
