//! `CartsTable`'s home: carts as the `carts` function keeps them, read by the relaunch
//! scheduler and sender, the audience export and a contact's timeline.
//!
//! A cart owing a relaunch step is in the `ByDue` index (`due_bucket`, `due_at`); every
//! write that puts it there, moves it or takes it out is here, each conditional on the
//! cart still owing the step it was read owing, so a newer snapshot or an order is never
//! overwritten.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::contracts::events::Line;
use crate::kit::clock::stamp;
use crate::kit::dynamo::{condition_held, n, s, Item};
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
    crate::kit::dynamo::decode(item, "cart")
}

pub async fn get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    id: &str,
) -> Result<Option<CartRecord>, Error> {
    crate::kit::dynamo::get(client, table, crate::kit::dynamo::key("id", id), "cart").await
}

/// One page of carts due in `bucket` by `now`, from `start` (the previous page's end).
pub async fn due_page(
    client: &Client,
    table: &str,
    bucket: &str,
    now: DateTime<Utc>,
    start: Option<Item>,
) -> Result<(Vec<Item>, Option<Item>), Error> {
    let page = client
        .query()
        .table_name(table)
        .index_name(BY_DUE_INDEX)
        .key_condition_expression("due_bucket = :b AND due_at <= :now")
        .expression_attribute_values(":b", s(bucket))
        .expression_attribute_values(":now", s(stamp(now)))
        .set_exclusive_start_key(start)
        .send()
        .await
        .map_err(|e| Error::from_sdk("Query due carts", e))?;
    let next = page.last_evaluated_key.filter(|key| !key.is_empty());
    Ok((page.items.unwrap_or_default(), next))
}

/// What the scheduler reads of a cart in the due index.
#[derive(Debug, Clone, PartialEq)]
pub struct DueStep {
    pub cart_id: String,
    pub step: usize,
    pub campaign_id: String,
    /// `due_at` exactly as stored: the condition that takes the cart out of the index
    /// compares it.
    pub due_at: AttributeValue,
}

impl DueStep {
    /// The due step an index item names (`None` for an item without one).
    pub fn of(item: &Item) -> Option<DueStep> {
        let text = |name: &str| crate::kit::dynamo::text(item, name).map(str::to_string);
        let step = item
            .get("next_step")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok());
        Some(DueStep {
            cart_id: text("id")?,
            step: step?,
            campaign_id: text("campaign_id")?,
            due_at: item.get("due_at")?.clone(),
        })
    }
}

/// Takes the cart out of the due index if it still owes `due` as read from `bucket`:
/// `false` when the sender or a new snapshot moved it on first.
pub async fn unindex(
    client: &Client,
    table: &str,
    due: &DueStep,
    bucket: &str,
) -> Result<bool, Error> {
    let updated = client
        .update_item()
        .table_name(table)
        .key("id", s(&due.cart_id))
        .update_expression("REMOVE due_bucket")
        .condition_expression("due_bucket = :b AND next_step = :step AND due_at = :due")
        .expression_attribute_values(":b", s(bucket))
        .expression_attribute_values(":step", n(due.step))
        .expression_attribute_values(":due", due.due_at.clone())
        .send()
        .await;
    condition_held(updated, "UpdateItem unindex cart")
}

fn owing(
    update: UpdateItemFluentBuilder,
    campaign_id: &str,
    step: usize,
) -> UpdateItemFluentBuilder {
    update
        .condition_expression("campaign_id = :c AND next_step = :step")
        .expression_attribute_values(":c", s(campaign_id))
        .expression_attribute_values(":step", n(step))
}

/// Ends the cart's relaunches for `reason` if it still owes `step` of `campaign_id`: out of
/// the index, and a later snapshot does not start them again. `false`: it moved on.
pub async fn stop_relaunch(
    client: &Client,
    table: &str,
    cart_id: &str,
    campaign_id: &str,
    step: usize,
    reason: &str,
) -> Result<bool, Error> {
    let update = client
        .update_item()
        .table_name(table)
        .key("id", s(cart_id))
        .update_expression("REMOVE due_at, due_bucket SET relaunch_stopped = :reason")
        .expression_attribute_values(":reason", s(reason));
    condition_held(
        owing(update, campaign_id, step).send().await,
        "UpdateItem cart stopped",
    )
}

/// The transaction item that puts the cart back in the index at `until` (in `bucket`), on
/// condition that it still owes `step` of `campaign_id`.
pub fn defer_relaunch(
    table: &str,
    cart_id: &str,
    campaign_id: &str,
    step: usize,
    until: DateTime<Utc>,
    bucket: &str,
) -> UpdateBuilder {
    Update::builder()
        .table_name(table)
        .key("id", s(cart_id))
        .update_expression("SET due_at = :due, due_bucket = :bucket")
        .condition_expression("campaign_id = :c AND next_step = :step")
        .expression_attribute_values(":due", s(stamp(until)))
        .expression_attribute_values(":bucket", s(bucket))
        .expression_attribute_values(":c", s(campaign_id))
        .expression_attribute_values(":step", n(step))
}

/// Moves the cart on from `step` of `campaign_id` once it went: the next step owed, due at
/// `next_due` in its bucket, or out of the index when there is none. `false`: it had moved
/// on already.
pub async fn advance_relaunch(
    client: &Client,
    table: &str,
    cart_id: &str,
    campaign_id: &str,
    step: usize,
    next_due: Option<(DateTime<Utc>, &str)>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let update = client
        .update_item()
        .table_name(table)
        .key("id", s(cart_id))
        .expression_attribute_values(":next", n(step + 1))
        .expression_attribute_values(":now", s(stamp(now)));
    let update = match next_due {
        Some((due, bucket)) => update
            .update_expression(
                "SET next_step = :next, updated_at = :now, due_at = :due, due_bucket = :bucket",
            )
            .expression_attribute_values(":due", s(stamp(due)))
            .expression_attribute_values(":bucket", s(bucket)),
        None => update.update_expression(
            "SET next_step = :next, updated_at = :now REMOVE due_at, due_bucket",
        ),
    };
    condition_held(
        owing(update, campaign_id, step).send().await,
        "UpdateItem cart next step",
    )
}

/// The transaction item that converts the cart with `order_id` (once: on condition it was
/// not converted before), out of the due index, owed to `attribution` when it is.
pub fn convert(
    table: &str,
    cart_id: &str,
    order_id: &str,
    revenue: Decimal,
    attribution: Option<&Attribution>,
    now: DateTime<Utc>,
) -> Result<UpdateBuilder, Error> {
    let update = Update::builder()
        .table_name(table)
        .key("id", s(cart_id))
        .condition_expression("cart_status <> :converted")
        .expression_attribute_values(":converted", s(CartStatus::Converted.as_str()))
        .expression_attribute_values(":order", s(order_id))
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":revenue", s(revenue.to_string()));
    let set = "SET cart_status = :converted, order_id = :order, converted_at = :now, revenue = :revenue, updated_at = :now";
    Ok(match attribution {
        Some(a) => update
            .update_expression(format!(
                "{set}, attribution = :attribution REMOVE due_at, due_bucket"
            ))
            .expression_attribute_values(
                ":attribution",
                serde_dynamo::to_attribute_value(a)
                    .map_err(|e| Error::caused("encode attribution", e))?,
            ),
        None => update.update_expression(format!("{set} REMOVE due_at, due_bucket")),
    })
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
