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
//! processing and completed orders are conversions. A completed order is also order news
//! "shipped" (WooCommerce's own statuses say no more), with its own dedupe key
//! `order:{id}:{modification time}:shipped`, and tracking from the Shipment Tracking
//! extension's order meta `_wc_shipment_tracking_items` when the shop uses it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::events::{
    Address, BuyerSignals, CartSnapshot, CartStage, CommerceEvent, Customer, Event, Line, Order,
    OrderStatus, OrderUpdate, Tracking,
};
use shared::contracts::sources::Source;
use shared::kit::http::{self, Response};
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::tracking_of;
use crate::fields::{self, non_empty};
use crate::request::{HookRequest, Ignored, Normalised, Parsed};
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
            Ok(events) => Parsed {
                events,
                ..Parsed::default()
            },
            Err(ignored) => Parsed {
                ignored: vec![ignored],
                ..Parsed::default()
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
    #[serde(default)]
    pub date_completed_gmt: Option<String>,
    /// How the shop names the order to its customer (the id, unless a plugin renumbers).
    #[serde(default, deserialize_with = "fields::opt_id")]
    pub number: Option<String>,
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

    /// The most recently added shipment of the Shipment Tracking extension (it appends one
    /// item per parcel to `_wc_shipment_tracking_items`): the carrier is the custom
    /// provider's name, else the extension's provider slug (`colissimo`); a link is stored
    /// only for custom providers. `None` without the extension or without usable values.
    fn tracking(&self) -> Option<Tracking> {
        let items = self
            .meta_data
            .iter()
            .find(|m| m.key == "_wc_shipment_tracking_items")?
            .value
            .as_array()?;
        let item = items.iter().rev().find(|item| item.is_object())?;
        tracking_of(
            meta_text(item, "tracking_number"),
            meta_text(item, "custom_tracking_link"),
            meta_text(item, "custom_tracking_provider")
                .or_else(|| meta_text(item, "tracking_provider")),
        )
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

/// A text field of a plugin's meta object; PHP may have stored a number.
fn meta_text(item: &serde_json::Value, key: &str) -> Option<String> {
    match item.get(key)? {
        serde_json::Value::String(text) => non_empty(Some(text.clone())),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
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

/// The events for an order, each with its dedupe key: a cart, a conversion, and for a
/// completed order the conversion then the news that it shipped. `Err` for orders Liaison
/// does not act on (cancelled, refunded, unknown statuses) and for unreadable dates.
pub fn normalise(order: WooOrder) -> Result<Vec<Normalised>, Ignored> {
    let modified = gmt_field(&order.date_modified_gmt, "date_modified_gmt")?;
    let created = gmt_field(&order.date_created_gmt, "date_created_gmt")?;
    let paid = gmt_field(&order.date_paid_gmt, "date_paid_gmt")?;
    let completed = gmt_field(&order.date_completed_gmt, "date_completed_gmt")?;
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
    // Read while the order is whole; only a completed order's news uses them.
    let order_name = non_empty(order.number.clone()).map(|number| format!("#{number}"));
    let tracking = order.tracking();
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
    let (event, shipped) = match order.status.as_str() {
        "pending" | "on-hold" | "checkout-draft" | "failed" => {
            let cart = CommerceEvent::Cart(CartSnapshot {
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
            });
            (cart, None)
        }
        "processing" | "completed" => {
            // WooCommerce's own statuses know no shipping: `completed` is what a shop sets
            // once the parcel has left.
            let shipped = (order.status == "completed").then(|| OrderUpdate {
                order_id: order.id.clone(),
                order_name: order_name.clone(),
                // No shipments of its own: the news is about the whole order.
                shipment_id: None,
                customer: customer.clone(),
                status: OrderStatus::Shipped,
                tracking,
                at: completed.unwrap_or(updated_at),
            });
            let conversion = CommerceEvent::Order(Order {
                order_name,
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
            });
            (conversion, shipped)
        }
        other => {
            return Err(Ignored {
                reason: "order_status",
                detail: other.to_string(),
            })
        }
    };
    // Its own key: under the conversion's it would be taken for a duplicate of it. With the
    // modification time in it, the webhook and the poller seeing one change queue it once.
    let shipped = shipped.map(|news| Normalised {
        dedupe_key: format!("{key}:shipped"),
        event: Event::Commerce(CommerceEvent::OrderUpdate(news)),
    });
    let first = Normalised {
        dedupe_key: key,
        event: Event::Commerce(event),
    };
    Ok(std::iter::once(first).chain(shipped).collect())
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
    fn a_completed_order_should_be_a_conversion_then_shipped_news_with_its_tracking() {
        let parsed = delivery("order.updated", "woocommerce/order-updated-completed.json")
            .run(&source(Platform::WooCommerce, SECRET))
            .unwrap();
        assert_eq!(
            keys(&parsed),
            [
                "order:4187:2026-11-24T15:20:06",
                "order:4187:2026-11-24T15:20:06:shipped"
            ]
        );
        let [CommerceEvent::Order(order), CommerceEvent::OrderUpdate(news)] = commerce(&parsed)[..]
        else {
            panic!("{parsed:?}")
        };
        assert_eq!(order.order_id, "4187");
        assert_eq!(news.order_id, "4187");
        assert_eq!(news.order_name.as_deref(), Some("#4187"));
        assert_eq!(news.shipment_id, None);
        assert_eq!(news.status, OrderStatus::Shipped);
        assert_eq!(news.customer, order.customer);
        assert_eq!(
            news.customer.email.as_deref(),
            Some("helene.lefevre@example.fr")
        );
        // The extension's own provider: its slug, and no stored link.
        assert_eq!(
            news.tracking,
            Some(Tracking {
                number: Some("6A26112400211".into()),
                url: None,
                carrier: Some("colissimo".into()),
            })
        );
        // When it was completed, not when it was last touched.
        assert_eq!(
            news.at,
            "2026-11-24T15:20:05Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    /// The completed fixture with some fields replaced, as `normalise` reads it.
    fn completed_with(changes: serde_json::Value) -> Vec<Normalised> {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture("woocommerce/order-updated-completed.json")).unwrap();
        for (field, value) in changes.as_object().unwrap() {
            body[field] = value.clone();
        }
        normalise(serde_json::from_value(body).unwrap()).unwrap()
    }

    fn news_of(events: &[Normalised]) -> &OrderUpdate {
        match events {
            [_, Normalised {
                event: Event::Commerce(CommerceEvent::OrderUpdate(news)),
                ..
            }] => news,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shipped_news_should_read_a_custom_carrier_and_its_link() {
        let events = completed_with(serde_json::json!({
            "meta_data": [{"id": 1, "key": "_wc_shipment_tracking_items", "value": [
                {"tracking_provider": "colissimo", "custom_tracking_provider": "",
                 "custom_tracking_link": "", "tracking_number": "6A26112400211",
                 "date_shipped": "1795478400"},
                {"tracking_provider": "", "custom_tracking_provider": "Mondial Relay",
                 "custom_tracking_link": "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=84123456",
                 "tracking_number": 84123456, "date_shipped": "1795564800"}
            ]}],
            "number": 4187,
        }));
        let news = news_of(&events);
        // The parcel added last.
        assert_eq!(
            news.tracking,
            Some(Tracking {
                number: Some("84123456".into()),
                url: Some(
                    "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=84123456".into()
                ),
                carrier: Some("Mondial Relay".into()),
            })
        );
        assert_eq!(news.order_name.as_deref(), Some("#4187"));
    }

    #[test]
    fn shipped_news_without_tracking_or_dates_of_completion_should_still_be_sent() {
        for meta in [
            serde_json::json!([]),
            serde_json::json!([{"key": "_wc_shipment_tracking_items", "value": ""}]),
            serde_json::json!([{"key": "_wc_shipment_tracking_items", "value": [null, 3]}]),
            serde_json::json!([{"key": "_wc_shipment_tracking_items", "value": [
                {"tracking_number": "", "custom_tracking_link": "ftp://example.fr/x"}
            ]}]),
        ] {
            let events = completed_with(serde_json::json!({
                "meta_data": meta.clone(),
                "date_completed_gmt": null,
                "number": null,
            }));
            let news = news_of(&events);
            assert_eq!(news.tracking, None, "{meta}");
            assert_eq!(news.order_name, None);
            assert_eq!(
                news.at,
                "2026-11-24T15:20:06Z".parse::<DateTime<Utc>>().unwrap(),
                "the last change stands in for the completion"
            );
        }
    }

    #[test]
    fn an_unreadable_completion_date_should_ignore_the_order_as_other_dates_do() {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture("woocommerce/order-updated-completed.json")).unwrap();
        body["date_completed_gmt"] = "soon".into();
        let ignored = normalise(serde_json::from_value(body).unwrap()).unwrap_err();
        assert_eq!(ignored.reason, "unparseable");
        assert!(ignored.detail.contains("date_completed_gmt"));
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
