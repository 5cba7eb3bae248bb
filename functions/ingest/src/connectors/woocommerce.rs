//! WooCommerce webhooks: `order.created`, `order.updated` (the REST v3 order as body).
//!
//! Handshake: when a webhook is saved, WooCommerce POSTs an unsigned form body
//! `webhook_id=N` and only activates the hook on exactly 200. Signature:
//! `X-WC-Webhook-Signature` = base64 HMAC-SHA256(secret, body), on the bytes as PHP's
//! `json_encode` wrote them (`\/` escapes included). WooCommerce never retries, so the
//! poller (`poll`) reconciles through the REST API; both use the dedupe key
//! `order:{id}:{modification time}`, so an order seen both ways is queued once.
//!
//! Pending, on-hold, draft and failed orders are carts (a checkout that has not been paid);
//! processing and completed orders are conversions.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::events::{
    Address, BuyerSignals, CartSnapshot, CartStage, CommerceEvent, Customer, Event, Line, Order,
};
use shared::contracts::sources::Source;
use shared::kit::http::{self, Response};
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Ignored, Parsed};
use crate::signature::{Algorithm, BodyHmac, Encoding};

pub struct WooCommerce;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-wc-webhook-signature",
    prefix: "",
    encoding: Encoding::Base64,
    algorithm: Algorithm::Sha256,
};

impl Connector for WooCommerce {
    fn handshake(
        &self,
        req: &HookRequest<'_>,
        _source: &Source,
    ) -> Option<Result<Response, Error>> {
        is_save_ping(req).then(|| Ok(http::json(200, &json!({"ok": true}))))
    }

    fn event_name<'a>(&self, req: &'a HookRequest<'_>) -> Option<&'a str> {
        req.header("x-wc-webhook-topic")
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, _source: &Source) -> Result<Parsed, Error> {
        let topic = req.header("x-wc-webhook-topic").unwrap_or_default();
        if !matches!(topic, "order.created" | "order.updated") {
            return Ok(Parsed::ignored("unsupported_event", topic));
        }
        let order: WooOrder = from_slice(req.body, "")?;
        Ok(match normalise(order) {
            Ok((key, event)) => Parsed::one(key, event),
            Err(ignored) => Parsed {
                events: Vec::new(),
                ignored: vec![ignored],
                report: None,
            },
        })
    }
}

/// The save-time ping: unsigned, a form body of exactly `webhook_id=<digits>`. Anything
/// else goes through the signature check.
fn is_save_ping(req: &HookRequest<'_>) -> bool {
    req.method == "POST"
        && req.header("x-wc-webhook-signature").is_none()
        && std::str::from_utf8(req.body)
            .ok()
            .and_then(|b| b.trim().strip_prefix("webhook_id="))
            .is_some_and(|n| {
                !n.is_empty() && n.len() <= 20 && n.bytes().all(|c| c.is_ascii_digit())
            })
}

/// A REST v3 order, as the webhook and `GET /wp-json/wc/v3/orders` both return it.
#[derive(Debug, Deserialize)]
pub struct WooOrder {
    #[serde(deserialize_with = "fields::id")]
    pub id: String,
    pub status: String,
    pub currency: String,
    #[serde(deserialize_with = "fields::decimal")]
    pub total: Decimal,
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default)]
    pub date_paid_gmt: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub billing: Billing,
    #[serde(default)]
    pub line_items: Vec<WooLine>,
    #[serde(default)]
    pub payment_url: Option<String>,
    #[serde(default)]
    pub customer_ip_address: Option<String>,
    #[serde(default)]
    pub shipping: Option<Shipping>,
    /// Order meta; a referral code saved by the theme as `liaison_ref` (or `_liaison_ref`).
    #[serde(default)]
    pub meta_data: Vec<Meta>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Shipping {
    #[serde(default)]
    pub address_1: Option<String>,
    #[serde(default)]
    pub address_2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub key: String,
    /// Any JSON: plugins store objects here too.
    #[serde(default)]
    pub value: serde_json::Value,
}

impl WooOrder {
    fn referral_code(&self) -> Option<String> {
        self.meta_data
            .iter()
            .find(|m| m.key == "liaison_ref" || m.key == "_liaison_ref")
            .and_then(|m| m.value.as_str())
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty() && c.len() <= 64)
    }

    fn signals(&self) -> BuyerSignals {
        BuyerSignals {
            client_ip: non_empty(self.customer_ip_address.clone()),
            shipping_address: self.shipping.as_ref().map(|s| Address {
                line1: non_empty(s.address_1.clone()),
                line2: non_empty(s.address_2.clone()),
                city: non_empty(s.city.clone()),
                postal_code: non_empty(s.postcode.clone()),
                country: non_empty(s.country.clone()),
            }),
            // WooCommerce keeps no card fingerprint on the order.
            payment_fingerprint: None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Billing {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WooLine {
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub product_id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub variation_id: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub name: String,
    pub quantity: u32,
    #[serde(default, deserialize_with = "fields::decimal")]
    pub price: Decimal,
}

fn gmt_field(value: &Option<String>, name: &'static str) -> Result<Option<DateTime<Utc>>, Ignored> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => fields::gmt(text).map(Some).ok_or_else(|| Ignored {
            reason: "unparseable",
            detail: format!("{name}: {text:?} is not a date"),
        }),
    }
}

/// The event for an order, with its dedupe key; `Err` for orders Liaison does not act on
/// (cancelled, refunded, unknown statuses).
pub fn normalise(order: WooOrder) -> Result<(String, Event), Ignored> {
    let modified = gmt_field(&order.date_modified_gmt, "date_modified_gmt")?;
    let created = gmt_field(&order.date_created_gmt, "date_created_gmt")?;
    let paid = gmt_field(&order.date_paid_gmt, "date_paid_gmt")?;
    let updated_at = modified.or(created).ok_or_else(|| Ignored {
        reason: "unparseable",
        detail: "order has neither date_modified_gmt nor date_created_gmt".into(),
    })?;
    let key = format!(
        "order:{}:{}",
        order.id,
        order
            .date_modified_gmt
            .as_deref()
            .unwrap_or_default()
            .trim()
    );
    let referral_code = order.referral_code();
    let signals = order.signals();
    let customer = Customer {
        id: order.customer_id,
        email: non_empty(order.billing.email),
        first_name: non_empty(order.billing.first_name),
        last_name: non_empty(order.billing.last_name),
        ..Customer::default()
    };
    let lines: Vec<Line> = order
        .line_items
        .into_iter()
        .map(|l| Line {
            product_id: l.product_id,
            variant_id: l.variation_id,
            sku: non_empty(l.sku),
            title: l.name,
            quantity: l.quantity,
            unit_price: l.price,
            image_url: None,
            url: None,
        })
        .collect();
    let currency = order.currency.to_ascii_uppercase();
    let event = match order.status.as_str() {
        "pending" | "on-hold" | "checkout-draft" | "failed" => CommerceEvent::Cart(CartSnapshot {
            stage: CartStage::Checkout,
            cart_id: format!("order:{}", order.id),
            checkout_id: Some(order.id),
            customer,
            currency,
            lines,
            total: order.total,
            recovery_url: non_empty(order.payment_url),
            updated_at,
            completed_at: None,
        }),
        "processing" | "completed" => CommerceEvent::Order(Order {
            cart_id: Some(format!("order:{}", order.id)),
            checkout_id: Some(order.id.clone()),
            order_id: order.id,
            customer,
            currency,
            lines,
            total: order.total,
            placed_at: paid.or(created).unwrap_or(updated_at),
            referral_code,
            signals,
        }),
        other => {
            return Err(Ignored {
                reason: "order_status",
                detail: other.to_string(),
            })
        }
    };
    Ok((key, Event::Commerce(event)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "wc-secret-4b1f0e2d9c8a";

    fn delivery(topic: &str, fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = b64(&hmac256(SECRET, &body));
        Req::new("POST", body)
            .header("x-wc-webhook-topic", topic)
            .header("x-wc-webhook-signature", &sig)
            .header("x-wc-webhook-delivery-id", "6f1b2e9c")
    }

    #[test]
    fn the_save_ping_should_get_200_unsigned() {
        let req = Req::new("POST", fixture("woocommerce/ping.txt"))
            .header("content-type", "application/x-www-form-urlencoded");
        let answer = WooCommerce
            .handshake(&req.hook(), &source(Platform::WooCommerce, SECRET))
            .unwrap()
            .unwrap();
        assert_eq!(answer.status_code, 200);
        // Anything else unsigned is not a ping.
        for body in ["webhook_id=", "webhook_id=12&x=1", "{\"id\":1}"] {
            let req = Req::new("POST", body.as_bytes().to_vec());
            assert!(WooCommerce
                .handshake(&req.hook(), &source(Platform::WooCommerce, SECRET))
                .is_none());
        }
    }

    #[test]
    fn a_pending_order_should_be_a_cart_and_a_paid_one_a_conversion() {
        let src = source(Platform::WooCommerce, SECRET);
        let pending = delivery("order.created", "woocommerce/order-created-pending.json")
            .run(&src)
            .unwrap();
        let [CommerceEvent::Cart(cart)] = commerce(&pending)[..] else {
            panic!("{pending:?}")
        };
        assert_eq!(cart.cart_id, "order:4187");
        assert_eq!(
            cart.customer.email.as_deref(),
            Some("helene.lefevre@example.fr")
        );
        assert_eq!(cart.customer.first_name.as_deref(), Some("Hélène"));
        assert_eq!(cart.total.to_string(), "212.30");
        assert!(cart
            .recovery_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://") && !u.contains('\\')));
        let paid = delivery("order.updated", "woocommerce/order-updated-processing.json")
            .run(&src)
            .unwrap();
        let [CommerceEvent::Order(order)] = commerce(&paid)[..] else {
            panic!("{paid:?}")
        };
        assert_eq!(order.order_id, "4187");
        assert_eq!(order.cart_id.as_deref(), Some("order:4187"));
        // What anti-fraud reads; no referral code in this order's meta.
        assert_eq!(order.signals.client_ip.as_deref(), Some("203.0.113.77"));
        let shipping = order.signals.shipping_address.as_ref().unwrap();
        assert_eq!(shipping.postal_code.as_deref(), Some("69002"));
        assert!(order.referral_code.is_none());
        assert_ne!(keys(&pending), keys(&paid));
        assert!(keys(&paid)[0].starts_with("order:4187:"));
    }

    #[test]
    fn a_wrong_signature_should_be_refused() {
        let req = delivery("order.created", "woocommerce/order-created-pending.json");
        assert_eq!(
            req.run(&source(Platform::WooCommerce, "not-the-secret"))
                .unwrap_err()
                .status(),
            401
        );
    }

    #[test]
    fn a_cancelled_order_should_be_ignored_with_its_status() {
        let body = br#"{"id":9,"status":"cancelled","currency":"EUR","total":"1.00","date_modified_gmt":"2026-11-23T10:00:00"}"#;
        let sig = b64(&hmac256(SECRET, body));
        let req = Req::new("POST", body.to_vec())
            .header("x-wc-webhook-topic", "order.updated")
            .header("x-wc-webhook-signature", &sig);
        let parsed = req.run(&source(Platform::WooCommerce, SECRET)).unwrap();
        assert_eq!(parsed.ignored[0].reason, "order_status");
        assert_eq!(parsed.ignored[0].detail, "cancelled");
    }
}
