//! Shopify webhooks: `checkouts/create`, `checkouts/update`, `orders/create`,
//! `customers/create`, `fulfillments/create`, `fulfillments/update`.
//!
//! A fulfillment is one shipment of an order: `success` or `open` is order news "shipped"
//! (`delivered` once its `shipment_status` says so); `pending`, `cancelled`, `error` and
//! `failure` are ignored (`fulfillment_status`): no parcel is, or will be, on its way.
//!
//! Signature: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256(app client secret, body). After
//! the app's secret is rotated Shopify signs with either for up to an hour: the source's
//! rotation grace covers it. Dedupe on `X-Shopify-Event-Id` (one per merchant action; the
//! per-delivery `X-Shopify-Webhook-Id` is the fallback for API versions without it).
//! Ids are read as integers or strings, never as f64.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use shared::contracts::events::{
    Address, BuyerSignals, CartSnapshot, CartStage, CommerceEvent, Customer, CustomerAccount,
    Event, Line, Order, OrderStatus, OrderUpdate,
};
use shared::contracts::sources::Source;
use shared::kit::json::from_slice;
use shared::Error;

use super::Connector;
use crate::fields::{self, non_empty, tracking_of};
use crate::request::{HookRequest, Parsed};
use crate::signature::{Algorithm, BodyHmac, Encoding};

pub struct Shopify;

const SIGNATURE: BodyHmac = BodyHmac {
    header: "x-shopify-hmac-sha256",
    prefix: "",
    encoding: Encoding::Base64,
    algorithm: Algorithm::Sha256,
};

impl Connector for Shopify {
    fn event_name<'a>(&self, req: &'a HookRequest<'_>) -> Option<&'a str> {
        req.header("x-shopify-topic")
    }

    fn verify(&self, req: &HookRequest<'_>, source: &Source) -> Result<(), Error> {
        SIGNATURE.verify(req, source)
    }

    fn parse(&self, req: &HookRequest<'_>, source: &Source) -> Result<Parsed, Error> {
        let topic = req.header("x-shopify-topic").unwrap_or_default();
        // A public app's secret signs for every shop that installed it: when the source
        // names its shop, another shop's events are not this source's.
        let shop = req.header("x-shopify-shop-domain").unwrap_or_default();
        if let Some(expected) = source.setting("shop_domain") {
            if !shop.eq_ignore_ascii_case(expected) {
                return Ok(Parsed::ignored("other_shop", shop));
            }
        }
        let Some(key) = req
            .header("x-shopify-event-id")
            .or_else(|| req.header("x-shopify-webhook-id"))
            .filter(|k| !k.is_empty() && k.len() <= 256)
        else {
            return Err(Error::validation(
                "x-shopify-event-id",
                "missing X-Shopify-Event-Id and X-Shopify-Webhook-Id headers",
            ));
        };
        let event = match topic {
            "checkouts/create" | "checkouts/update" => checkout(from_slice(req.body, "")?)?,
            "orders/create" => order(from_slice(req.body, "")?)?,
            "customers/create" => customer(from_slice(req.body, "")?)?,
            "fulfillments/create" | "fulfillments/update" => {
                let fulfillment: Fulfillment = from_slice(req.body, "")?;
                let Some(status) = fulfillment.order_status() else {
                    return Ok(Parsed::ignored("fulfillment_status", fulfillment.status));
                };
                order_update(fulfillment, status)?
            }
            other => return Ok(Parsed::ignored("unsupported_event", other)),
        };
        Ok(Parsed::one(format!("event:{key}"), event))
    }
}

#[derive(Deserialize)]
struct Checkout {
    token: String,
    #[serde(default)]
    cart_token: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    buyer_accepts_marketing: Option<bool>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    completed_at: Option<DateTime<Utc>>,
    currency: String,
    #[serde(default)]
    line_items: Vec<LineItem>,
    #[serde(deserialize_with = "fields::decimal")]
    total_price: Decimal,
    #[serde(default)]
    abandoned_checkout_url: Option<String>,
    #[serde(default)]
    customer: Option<ShopifyCustomer>,
    #[serde(default)]
    customer_locale: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyOrder {
    #[serde(deserialize_with = "fields::id")]
    id: String,
    /// `#1001`: how the shop names the order to its customer.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    checkout_token: Option<String>,
    #[serde(default)]
    cart_token: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    processed_at: Option<DateTime<Utc>>,
    currency: String,
    #[serde(deserialize_with = "fields::decimal")]
    total_price: Decimal,
    #[serde(default)]
    line_items: Vec<LineItem>,
    #[serde(default)]
    customer: Option<ShopifyCustomer>,
    #[serde(default)]
    buyer_accepts_marketing: Option<bool>,
    #[serde(default)]
    customer_locale: Option<String>,
    #[serde(default)]
    browser_ip: Option<String>,
    /// The first page of the buyer's session: a referral link lands on `/?ref={code}`.
    #[serde(default)]
    landing_site: Option<String>,
    #[serde(default)]
    note_attributes: Vec<NoteAttribute>,
    #[serde(default)]
    shipping_address: Option<ShopifyAddress>,
    /// Deprecated by Shopify but still sent for card payments.
    #[serde(default)]
    payment_details: Option<PaymentDetails>,
}

#[derive(Deserialize)]
struct NoteAttribute {
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "fields::opt_id")]
    value: Option<String>,
}

#[derive(Deserialize)]
struct ShopifyAddress {
    #[serde(default)]
    address1: Option<String>,
    #[serde(default)]
    address2: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    zip: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
}

#[derive(Deserialize)]
struct PaymentDetails {
    #[serde(default)]
    credit_card_bin: Option<String>,
    #[serde(default)]
    credit_card_number: Option<String>,
    #[serde(default)]
    credit_card_company: Option<String>,
}

/// The referral code of an order: a `ref` cart attribute the theme saved, or the `ref`
/// query parameter of the page the buyer landed on.
fn referral_code(o: &ShopifyOrder) -> Option<String> {
    let from_note = o
        .note_attributes
        .iter()
        .find(|a| a.name == "ref" || a.name == "liaison_ref")
        .and_then(|a| a.value.clone());
    let from_landing = o.landing_site.as_deref().and_then(|site| {
        let query = site.split_once('?')?.1;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == "ref")
            .map(|(_, v)| v.to_string())
    });
    from_note
        .or(from_landing)
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty() && c.len() <= 64)
}

fn signals(o: &ShopifyOrder) -> BuyerSignals {
    let card = o.payment_details.as_ref().and_then(|p| {
        let last4: String = p
            .credit_card_number
            .as_deref()?
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        Some(format!(
            "card:{}:{}:{last4}",
            p.credit_card_company.as_deref().unwrap_or_default(),
            p.credit_card_bin.as_deref().unwrap_or_default()
        ))
    });
    BuyerSignals {
        client_ip: non_empty(o.browser_ip.clone()),
        shipping_address: o.shipping_address.as_ref().map(|a| Address {
            line1: non_empty(a.address1.clone()),
            line2: non_empty(a.address2.clone()),
            city: non_empty(a.city.clone()),
            postal_code: non_empty(a.zip.clone()),
            country: non_empty(a.country_code.clone()),
        }),
        payment_fingerprint: card,
    }
}

#[derive(Deserialize)]
struct LineItem {
    #[serde(default, deserialize_with = "fields::opt_id")]
    product_id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    variant_id: Option<String>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    title: String,
    quantity: u32,
    #[serde(deserialize_with = "fields::decimal")]
    price: Decimal,
}

#[derive(Deserialize)]
struct ShopifyCustomer {
    #[serde(default, deserialize_with = "fields::opt_id")]
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
    email_marketing_consent: Option<MarketingConsent>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct MarketingConsent {
    #[serde(default)]
    state: Option<String>,
}

impl ShopifyCustomer {
    /// Consent as the shop recorded it: the newer `email_marketing_consent.state` when
    /// present, else the deprecated `accepts_marketing`.
    fn consent(&self) -> Option<bool> {
        self.email_marketing_consent
            .as_ref()
            .and_then(|c| c.state.as_deref())
            .map(|state| state == "subscribed")
            .or(self.accepts_marketing)
    }

    fn into_customer(self, email: Option<String>, locale: Option<String>) -> Customer {
        let accepts_marketing = self.consent();
        Customer {
            id: self.id,
            email: non_empty(email).or(non_empty(self.email)),
            first_name: non_empty(self.first_name),
            last_name: non_empty(self.last_name),
            accepts_marketing,
            locale: non_empty(locale),
            time_zone: None,
        }
    }
}

fn lines(items: Vec<LineItem>) -> Vec<Line> {
    items
        .into_iter()
        .map(|item| Line {
            product_id: item.product_id,
            variant_id: item.variant_id,
            sku: non_empty(item.sku),
            title: item.title,
            quantity: item.quantity,
            unit_price: item.price,
            image_url: None,
            url: None,
        })
        .collect()
}

fn customer_of(
    customer: Option<ShopifyCustomer>,
    email: Option<String>,
    locale: Option<String>,
) -> Customer {
    match customer {
        Some(c) => c.into_customer(email, locale),
        None => Customer {
            email: non_empty(email),
            locale: non_empty(locale),
            ..Customer::default()
        },
    }
}

fn checkout(c: Checkout) -> Result<Event, Error> {
    let mut customer = customer_of(c.customer, c.email, c.customer_locale);
    // The checkout's own flag is what the buyer ticked on this checkout.
    customer.accepts_marketing = c.buyer_accepts_marketing.or(customer.accepts_marketing);
    Ok(Event::Commerce(CommerceEvent::Cart(CartSnapshot {
        stage: CartStage::Checkout,
        cart_id: non_empty(c.cart_token).unwrap_or_else(|| c.token.clone()),
        checkout_id: Some(c.token),
        customer,
        currency: c.currency.to_ascii_uppercase(),
        lines: lines(c.line_items),
        total: c.total_price,
        recovery_url: non_empty(c.abandoned_checkout_url),
        updated_at: c.updated_at,
        completed_at: c.completed_at,
    })))
}

fn order(o: ShopifyOrder) -> Result<Event, Error> {
    let referral_code = referral_code(&o);
    let signals = signals(&o);
    let mut customer = customer_of(o.customer, o.email, o.customer_locale);
    customer.accepts_marketing = customer.accepts_marketing.or(o.buyer_accepts_marketing);
    Ok(Event::Commerce(CommerceEvent::Order(Order {
        order_id: o.id,
        order_name: non_empty(o.name),
        cart_id: non_empty(o.cart_token),
        checkout_id: non_empty(o.checkout_token),
        customer,
        currency: o.currency.to_ascii_uppercase(),
        lines: lines(o.line_items),
        total: o.total_price,
        placed_at: o.processed_at.unwrap_or(o.created_at),
        // Liaison's own referral codes, never the shop's discount codes.
        referral_code,
        signals,
    })))
}

fn customer(c: ShopifyCustomer) -> Result<Event, Error> {
    let created_at = c
        .created_at
        .ok_or_else(|| Error::validation("created_at", "missing"))?;
    Ok(Event::Commerce(CommerceEvent::CustomerAccount(
        CustomerAccount {
            customer: c.into_customer(None, None),
            created_at,
        },
    )))
}

/// A fulfillment (one shipment of an order), as `fulfillments/create` and
/// `fulfillments/update` send it.
#[derive(Deserialize)]
struct Fulfillment {
    #[serde(default, deserialize_with = "fields::opt_id")]
    id: Option<String>,
    #[serde(default, deserialize_with = "fields::opt_id")]
    order_id: Option<String>,
    /// `pending`, `open`, `success`, `cancelled`, `error` or `failure`.
    status: String,
    /// The carrier's word once it has one (`in_transit`, `delivered`...), else null.
    #[serde(default)]
    shipment_status: Option<String>,
    #[serde(default)]
    email: Option<String>,
    /// `#1184.1`: the order's name, a dot, the shipment's number within the order.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tracking_company: Option<String>,
    #[serde(default)]
    tracking_number: Option<String>,
    /// Null entries and a null list are tolerated: the singular field is the fallback.
    #[serde(default)]
    tracking_numbers: Option<Vec<Option<String>>>,
    #[serde(default)]
    tracking_url: Option<String>,
    #[serde(default)]
    tracking_urls: Option<Vec<Option<String>>>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

impl Fulfillment {
    /// What the customer may be told; `None` while nothing is on its way (`pending`) or when
    /// the shipment will not come (`cancelled`, `error`, `failure`).
    fn order_status(&self) -> Option<OrderStatus> {
        match self.status.as_str() {
            "success" | "open" if self.shipment_status.as_deref() == Some("delivered") => {
                Some(OrderStatus::Delivered)
            }
            "success" | "open" => Some(OrderStatus::Shipped),
            _ => None,
        }
    }

    /// The order's name: the fulfillment's name without its last `.N` (`#1184.1` is the
    /// first shipment of `#1184`; a shop's prefix may itself hold dots).
    fn order_name(&self) -> Option<String> {
        let name = self.name.as_deref()?.trim();
        let (order, _shipment) = name.rsplit_once('.')?;
        non_empty(Some(order.to_string()))
    }
}

/// The first usable entry of a list, else the single field Shopify also sends.
fn first_of(list: Option<Vec<Option<String>>>, single: Option<String>) -> Option<String> {
    list.into_iter()
        .flatten()
        .find_map(non_empty)
        .or_else(|| non_empty(single))
}

fn order_update(f: Fulfillment, status: OrderStatus) -> Result<Event, Error> {
    let order_name = f.order_name();
    let order_id = f
        .order_id
        .ok_or_else(|| Error::validation("order_id", "missing"))?;
    let shipment_id = f.id.ok_or_else(|| Error::validation("id", "missing"))?;
    let at = f
        .updated_at
        .or(f.created_at)
        .ok_or_else(|| Error::validation("updated_at", "missing"))?;
    let tracking = tracking_of(
        first_of(f.tracking_numbers, f.tracking_number),
        first_of(f.tracking_urls, f.tracking_url),
        f.tracking_company,
    );
    Ok(Event::Commerce(CommerceEvent::OrderUpdate(OrderUpdate {
        order_id,
        order_name,
        shipment_id: Some(shipment_id),
        // The fulfillment names no customer account; its email is the order's.
        customer: Customer {
            email: non_empty(f.email),
            ..Customer::default()
        },
        status,
        tracking,
        at,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::*;
    use shared::contracts::events::Tracking;
    use shared::contracts::sources::Platform;

    const SECRET: &str = "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";

    fn delivery(topic: &str, fixture_path: &str) -> Req {
        let body = fixture(fixture_path);
        let sig = b64(&hmac256(SECRET, &body));
        Req::new("POST", body)
            .header("x-shopify-topic", topic)
            .header("x-shopify-hmac-sha256", &sig)
            .header("x-shopify-event-id", "98880550-7158-44d4-b7cd-2c97c8a091b5")
            .header(
                "x-shopify-webhook-id",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            )
    }

    #[test]
    fn a_checkout_update_should_become_a_cart_with_consent_and_recovery_url() {
        let parsed = delivery("checkouts/update", "shopify/checkouts-update.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        assert_eq!(
            keys(&parsed),
            ["event:98880550-7158-44d4-b7cd-2c97c8a091b5"]
        );
        let [CommerceEvent::Cart(cart)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(
            cart.checkout_id.as_deref(),
            Some("9f4c1b7e2d8a43f6b0e5c7a1d2f3e4b5")
        );
        assert_eq!(
            cart.cart_id,
            "Z2NwLWV1cm9wZS13ZXN0NDowMUpEUTZYOFY1TjNLN1IyTTlUNFcxWTZaQg"
        );
        assert_eq!(
            cart.customer.email.as_deref(),
            Some("jean.dupont@example.fr")
        );
        assert_eq!(cart.customer.accepts_marketing, Some(true));
        assert!(cart
            .recovery_url
            .as_deref()
            .unwrap()
            .starts_with("https://"));
        assert_eq!(cart.currency, "EUR");
        assert!(!cart.lines.is_empty());
        assert!(cart.completed_at.is_none());
    }

    #[test]
    fn an_order_id_beyond_2_pow_53_should_keep_every_digit() {
        let parsed = delivery("orders/create", "shopify/orders-create.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        let [CommerceEvent::Order(order)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(order.order_id, "820982911946157123");
        assert_eq!(order.order_name.as_deref(), Some("#1184"));
        assert_eq!(
            order.checkout_id.as_deref(),
            Some("9f4c1b7e2d8a43f6b0e5c7a1d2f3e4b5")
        );
        assert_eq!(
            order.customer.email.as_deref(),
            Some("jean.dupont@example.fr")
        );
    }

    #[test]
    fn an_order_should_carry_its_referral_code_and_buyer_signals() {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture("shopify/orders-create.json")).unwrap();
        body["landing_site"] = "/?utm_source=x&ref=r_abc123".into();
        body["payment_details"] = serde_json::json!({
            "credit_card_bin": "424242", "credit_card_number": "•••• •••• •••• 4242",
            "credit_card_company": "Visa"
        });
        let body = serde_json::to_vec(&body).unwrap();
        let sig = b64(&hmac256(SECRET, &body));
        let parsed = Req::new("POST", body)
            .header("x-shopify-topic", "orders/create")
            .header("x-shopify-hmac-sha256", &sig)
            .header("x-shopify-event-id", "e1")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        let [CommerceEvent::Order(order)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(order.referral_code.as_deref(), Some("r_abc123"));
        assert_eq!(order.signals.client_ip.as_deref(), Some("203.0.113.42"));
        let address = order.signals.shipping_address.as_ref().unwrap();
        assert_eq!(address.postal_code.as_deref(), Some("69002"));
        assert_eq!(address.country.as_deref(), Some("FR"));
        assert_eq!(
            order.signals.payment_fingerprint.as_deref(),
            Some("card:Visa:424242:4242")
        );
        // The fixture as Shopify sent it: no ref in its landing page.
        let plain = delivery("orders/create", "shopify/orders-create.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        let [CommerceEvent::Order(order)] = commerce(&plain)[..] else {
            panic!("{plain:?}")
        };
        assert!(order.referral_code.is_none());
    }

    #[test]
    fn a_new_customer_should_be_a_customer_account() {
        let parsed = delivery("customers/create", "shopify/customers-create.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        let [CommerceEvent::CustomerAccount(account)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(account.customer.id.as_deref(), Some("7612345678901"));
        assert_eq!(account.customer.accepts_marketing, Some(true));
    }

    #[test]
    fn another_shops_event_should_be_ignored_when_the_shop_is_named() {
        let mut src = source(Platform::Shopify, SECRET);
        src.settings
            .insert("shop_domain".into(), "maison-lumiere.myshopify.com".into());
        let other = delivery("orders/create", "shopify/orders-create.json")
            .header("x-shopify-shop-domain", "someone-else.myshopify.com");
        assert_eq!(other.run(&src).unwrap().ignored[0].reason, "other_shop");
        let ours = delivery("orders/create", "shopify/orders-create.json")
            .header("x-shopify-shop-domain", "maison-lumiere.myshopify.com");
        assert_eq!(ours.run(&src).unwrap().events.len(), 1);
    }

    #[test]
    fn a_shipped_fulfillment_should_be_order_news_with_its_tracking() {
        let parsed = delivery("fulfillments/create", "shopify/fulfillments-create.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        assert_eq!(
            keys(&parsed),
            ["event:98880550-7158-44d4-b7cd-2c97c8a091b5"]
        );
        let [CommerceEvent::OrderUpdate(news)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(news.status, OrderStatus::Shipped);
        // Every digit of an id beyond 2^53.
        assert_eq!(news.order_id, "820982911946157123");
        assert_eq!(news.order_name.as_deref(), Some("#1184"));
        assert_eq!(news.shipment_id.as_deref(), Some("5601823944821"));
        assert_eq!(
            news.customer.email.as_deref(),
            Some("jean.dupont@example.fr")
        );
        assert_eq!(
            news.tracking,
            Some(Tracking {
                number: Some("6A26112300184".into()),
                url: Some(
                    "https://www.laposte.fr/outils/suivre-vos-envois?code=6A26112300184".into()
                ),
                carrier: Some("Colissimo".into()),
            })
        );
        assert_eq!(
            news.at,
            "2026-11-24T13:32:09Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    #[test]
    fn a_delivered_update_should_say_delivered_at_its_update_time() {
        let parsed = delivery(
            "fulfillments/update",
            "shopify/fulfillments-update-delivered.json",
        )
        .run(&source(Platform::Shopify, SECRET))
        .unwrap();
        let [CommerceEvent::OrderUpdate(news)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(news.status, OrderStatus::Delivered);
        assert_eq!(news.shipment_id.as_deref(), Some("5601823944821"));
        assert_eq!(
            news.at,
            "2026-11-26T10:08:47Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    /// The fixture with some fields replaced, signed, as `topic`.
    fn changed_fulfillment(topic: &str, changes: serde_json::Value) -> Req {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture("shopify/fulfillments-create.json")).unwrap();
        for (field, value) in changes.as_object().unwrap() {
            body[field] = value.clone();
        }
        let body = serde_json::to_vec(&body).unwrap();
        let sig = b64(&hmac256(SECRET, &body));
        Req::new("POST", body)
            .header("x-shopify-topic", topic)
            .header("x-shopify-hmac-sha256", &sig)
            .header("x-shopify-event-id", "e2")
    }

    #[test]
    fn a_fulfillment_not_on_its_way_should_be_ignored_with_its_status() {
        let src = source(Platform::Shopify, SECRET);
        for status in ["pending", "cancelled", "error", "failure"] {
            let parsed = changed_fulfillment(
                "fulfillments/update",
                serde_json::json!({ "status": status }),
            )
            .run(&src)
            .unwrap();
            assert!(parsed.events.is_empty(), "{status}");
            assert_eq!(parsed.ignored[0].reason, "fulfillment_status");
            assert_eq!(parsed.ignored[0].detail, status);
        }
        // `open` is on its way, and a delivered shipment stays delivered whatever else.
        let open = changed_fulfillment(
            "fulfillments/update",
            serde_json::json!({ "status": "open", "shipment_status": "in_transit" }),
        )
        .run(&src)
        .unwrap();
        let [CommerceEvent::OrderUpdate(news)] = commerce(&open)[..] else {
            panic!("{open:?}")
        };
        assert_eq!(news.status, OrderStatus::Shipped);
    }

    #[test]
    fn another_shops_fulfillment_should_be_ignored_when_the_shop_is_named() {
        let mut src = source(Platform::Shopify, SECRET);
        src.settings
            .insert("shop_domain".into(), "maison-lumiere.myshopify.com".into());
        let other = delivery("fulfillments/create", "shopify/fulfillments-create.json")
            .header("x-shopify-shop-domain", "someone-else.myshopify.com");
        let parsed = other.run(&src).unwrap();
        assert!(parsed.events.is_empty());
        assert_eq!(parsed.ignored[0].reason, "other_shop");
        let ours = delivery("fulfillments/create", "shopify/fulfillments-create.json")
            .header("x-shopify-shop-domain", "maison-lumiere.myshopify.com");
        assert_eq!(ours.run(&src).unwrap().events.len(), 1);
    }

    #[test]
    fn fulfillment_ids_as_strings_and_lists_with_gaps_should_still_read() {
        let parsed = changed_fulfillment(
            "fulfillments/create",
            serde_json::json!({
                "id": "5601823944821",
                "order_id": "820982911946157123",
                "name": "ML.1184.2",
                "tracking_numbers": [null, " "],
                "tracking_number": "6A26112300185",
                "tracking_urls": null,
                "tracking_url": "javascript:alert(1)",
                "tracking_company": null,
            }),
        )
        .run(&source(Platform::Shopify, SECRET))
        .unwrap();
        let [CommerceEvent::OrderUpdate(news)] = commerce(&parsed)[..] else {
            panic!("{parsed:?}")
        };
        assert_eq!(news.order_id, "820982911946157123");
        assert_eq!(news.shipment_id.as_deref(), Some("5601823944821"));
        // A shop's own prefix may hold a dot: only the last one ends the order's name.
        assert_eq!(news.order_name.as_deref(), Some("ML.1184"));
        // A link that is not http(s) is never put in front of a customer.
        assert_eq!(
            news.tracking,
            Some(Tracking {
                number: Some("6A26112300185".into()),
                ..Tracking::default()
            })
        );
        let untracked = changed_fulfillment(
            "fulfillments/create",
            serde_json::json!({
                "tracking_numbers": [], "tracking_number": null,
                "tracking_urls": [], "tracking_url": null, "tracking_company": null,
            }),
        )
        .run(&source(Platform::Shopify, SECRET))
        .unwrap();
        let [CommerceEvent::OrderUpdate(news)] = commerce(&untracked)[..] else {
            panic!("{untracked:?}")
        };
        assert_eq!(news.tracking, None);
    }

    #[test]
    fn a_fulfillment_without_its_order_should_name_the_field() {
        let src = source(Platform::Shopify, SECRET);
        for (changes, field) in [
            (serde_json::json!({ "order_id": null }), "order_id"),
            (serde_json::json!({ "order_id": 1.5 }), "order_id"),
            (serde_json::json!({ "id": "" }), "id"),
            (
                serde_json::json!({ "updated_at": null, "created_at": null }),
                "updated_at",
            ),
            (
                serde_json::json!({ "updated_at": "yesterday" }),
                "updated_at",
            ),
        ] {
            let err = changed_fulfillment("fulfillments/create", changes.clone())
                .run(&src)
                .unwrap_err();
            let Error::Validation {
                field: Some(got), ..
            } = &err
            else {
                panic!("{changes}: {err:?}")
            };
            assert_eq!(got, field, "{changes}");
        }
    }

    #[test]
    fn an_unknown_topic_should_be_ignored_not_refused() {
        let parsed = delivery("products/update", "shopify/customers-create.json")
            .run(&source(Platform::Shopify, SECRET))
            .unwrap();
        assert!(parsed.events.is_empty());
        assert_eq!(parsed.ignored[0].reason, "unsupported_event");
    }

    #[test]
    fn a_wrong_or_missing_hmac_should_be_refused() {
        let req = delivery("orders/create", "shopify/orders-create.json");
        assert_eq!(
            req.run(&source(Platform::Shopify, "another-secret"))
                .unwrap_err()
                .status(),
            401
        );
        let mut req = delivery("orders/create", "shopify/orders-create.json");
        req.headers.remove("x-shopify-hmac-sha256");
        assert_eq!(
            req.run(&source(Platform::Shopify, SECRET))
                .unwrap_err()
                .status(),
            401
        );
        // Re-serialising the JSON changes the bytes: the signature must no longer hold.
        let mut req = delivery("orders/create", "shopify/orders-create.json");
        let value: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        req.body = serde_json::to_vec(&value).unwrap();
        assert_eq!(
            req.run(&source(Platform::Shopify, SECRET))
                .unwrap_err()
                .status(),
            401
        );
    }
}
