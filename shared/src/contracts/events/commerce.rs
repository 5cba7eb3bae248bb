//! Normalised e-commerce events: a cart or checkout as it is now, and an order placed.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommerceEvent {
    /// The whole cart as it is now (not a diff): later events replace earlier ones.
    Cart(CartSnapshot),
    Order(Order),
    /// A customer account opened on the shop: someone `identify` can treat as a known
    /// customer from now on.
    CustomerAccount(CustomerAccount),
    /// What happened to an order after it was placed (shipped, delivered): the news its
    /// customer may get by direct message.
    OrderUpdate(OrderUpdate),
}

/// Where an order is on its way to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Shipped,
    Delivered,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
        }
    }
}

/// How a shipment can be followed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
}

/// An order's news, as the shop tells it (Shopify fulfillments, WooCommerce status changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderUpdate {
    pub order_id: String,
    /// How the shop names the order to its customer (`#1001`), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_name: Option<String>,
    /// The shipment this news is about: an order shipped in several parts has news for each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_id: Option<String>,
    pub customer: Customer,
    pub status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Tracking>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerAccount {
    pub customer: Customer,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartStage {
    /// Items in a cart, no checkout started.
    Cart,
    /// A checkout was started (an email is usually known from here on).
    Checkout,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartSnapshot {
    pub stage: CartStage,
    pub cart_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    pub customer: Customer,
    /// ISO 4217, upper case.
    pub currency: String,
    pub lines: Vec<Line>,
    pub total: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_url: Option<String>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    /// How the shop names the order to its customer (`#1001`), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    pub customer: Customer,
    pub currency: String,
    pub lines: Vec<Line>,
    pub total: Decimal,
    pub placed_at: DateTime<Utc>,
    /// A referral code carried by the order, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral_code: Option<String>,
    /// What the shop saw of the buyer, for referral anti-fraud only.
    #[serde(default, skip_serializing_if = "BuyerSignals::is_empty")]
    pub signals: BuyerSignals,
}

/// What an order says of its buyer beyond who they are, read only by referral anti-fraud
/// (self-referral, several orders from one place) and kept by it only as keyed hashes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuyerSignals {
    /// The buyer's IP address as the shop saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// An opaque fingerprint of the payment method from the shop or its processor (a
    /// card fingerprint, or network, BIN and last digits): equal for the same card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_fingerprint: Option<String>,
}

impl BuyerSignals {
    pub fn is_empty(&self) -> bool {
        self == &BuyerSignals::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Marketing consent as the shop recorded it; `None` when the platform does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepts_marketing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// IANA time zone, for quiet hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// The largest amount (a total, a unit price) Liaison accepts: a trillion in any currency.
/// Beyond it nothing is a real order, and sums and products of amounts (line totals, rewards,
/// revenue) stay far inside `Decimal`'s range, which an arithmetic overflow would leave with
/// a panic (the release profile aborts).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub title: String,
    pub quantity: u32,
    pub unit_price: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[cfg(test)]
mod amount_tests {
    use super::*;

    #[test]
    fn the_largest_amount_should_be_a_trillion() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_u64));
    }
}
