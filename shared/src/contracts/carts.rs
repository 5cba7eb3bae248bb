//! Carts as the `carts` function keeps them (`CartsTable`), read by the relaunch
//! scheduler and sender, the audience export and a contact's timeline.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contracts::events::Line;
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartStatus {
    /// Items in it, no order yet.
    Open,
    /// An order came from it.
    Converted,
    /// The last snapshot had no lines.
    Emptied,
}

impl CartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CartStatus::Open => "open",
            CartStatus::Converted => "converted",
            CartStatus::Emptied => "emptied",
        }
    }
}

/// Which relaunch email an order is owed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    pub message_id: String,
    pub campaign_id: String,
    pub step: usize,
    pub variant: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartRecord {
    /// `crt_` and a digest of the source and the platform's cart id.
    pub id: String,
    pub source_id: String,
    pub platform: String,
    pub cart_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_id: Option<String>,
    /// `{source_id}#{checkout_id}`, the key of the `ByCheckout` index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Where relaunches go (personal data, erased with the contact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The shop's record of marketing consent with this cart (`None`: it did not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepts_marketing: Option<bool>,
    pub currency: String,
    pub lines: Vec<Line>,
    pub total: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_url: Option<String>,
    /// The platform's time of the last change: the clock of abandonment.
    pub last_activity: DateTime<Utc>,
    pub cart_status: CartStatus,
    /// Why this cart cannot be relaunched (no email, an unknown currency...), for staff.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// The campaign relaunching it and the next step (index) it owes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<DateTime<Utc>>,
    /// `campaigns::schedule::bucket(due_at)`: the key of the `ByDue` index (absent when
    /// nothing is due).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_bucket: Option<String>,
    /// Why the sender ended this cart's relaunches (unsubscribed, suppressed, a paused
    /// campaign...): a later snapshot does not start them again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relaunch_stopped: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    pub updated_at: DateTime<Utc>,
}

/// The cart's id: the same for every snapshot of one platform cart.
pub fn cart_key(source_id: &str, cart_id: &str) -> String {
    crate::kit::ids::derived("crt", source_id, cart_id)
}

pub fn checkout_key(source_id: &str, checkout_id: &str) -> String {
    format!("{source_id}#{checkout_id}")
}

pub const BY_DUE_INDEX: &str = "ByDue";
pub const BY_CHECKOUT_INDEX: &str = "ByCheckout";
pub const BY_CONTACT_INDEX: &str = "ByContact";

pub fn decode(item: HashMap<String, AttributeValue>) -> Result<CartRecord, Error> {
    serde_dynamo::from_item(item).map_err(|e| Error::Internal(format!("decode cart: {e}")))
}

pub async fn get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    id: &str,
) -> Result<Option<CartRecord>, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .key("id", AttributeValue::S(id.to_string()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem cart", e))?;
    out.item.map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_platform_cart_should_keep_one_id() {
        assert_eq!(cart_key("src_1", "abc"), cart_key("src_1", "abc"));
        assert_ne!(cart_key("src_1", "abc"), cart_key("src_2", "abc"));
        assert!(cart_key("src_1", "abc").starts_with("crt_"));
    }
}
