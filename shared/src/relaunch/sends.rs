//! `SendsTable`: one item per (cart, step), keyed `{cart_id}#{step}`. Its `status` moves
//! only by conditional writes, which is what makes a step go out once:
//!
//! ```text
//! (none) ──scheduler──▶ queued ──sender──▶ sending ──▶ sent
//!                        ▲  │                 │
//!                        │  └──▶ skipped      └──(lease lapsed: a crash after SES)──▶ uncertain
//!             deferred ◀─┘ (cap, quiet hours, SES throttling; re-claimed when due)
//! ```
//!
//! The scheduler's claim succeeds for a new item, a `deferred` one (its cart is due again
//! in the index), or a `queued` one whose message went missing (queued long ago and still in the index); the sender's
//! `queued → sending` is the only way to SES.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::carts::DueStep;
use crate::kit::clock::stamp;
use crate::kit::dynamo::{condition_held, n, s};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendStatus {
    Queued,
    Sending,
    Sent,
    Deferred,
    Skipped,
    /// SES may have sent it, the record did not follow: never sent again (docs/relaunch.md).
    Uncertain,
}

impl SendStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SendStatus::Queued => "queued",
            SendStatus::Sending => "sending",
            SendStatus::Sent => "sent",
            SendStatus::Deferred => "deferred",
            SendStatus::Skipped => "skipped",
            SendStatus::Uncertain => "uncertain",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendRecord {
    pub id: String,
    pub cart_id: String,
    pub campaign_id: String,
    pub step: usize,
    pub status: SendStatus,
    /// When the step is (or, deferred, next becomes) due.
    pub due_at: DateTime<Utc>,
    pub queued_at: DateTime<Utc>,
    /// Claims so far (the first, then one per deferral or lost message).
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

pub fn send_id(cart_id: &str, step: usize) -> String {
    format!("{cart_id}#{step}")
}

/// What the scheduler puts on the `sends` queue: which claim to carry out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessage {
    pub send_id: String,
    pub cart_id: String,
    pub step: usize,
    pub campaign_id: String,
}

/// The scheduler's own item in `SendsTable`: the oldest bucket that may still hold due
/// steps.
pub const CURSOR_ID: &str = "scheduler#cursor";

/// How long a `queued` claim may wait for its sender before the scheduler enqueues it
/// again (its message lost, or the scheduler stopped between claim and enqueue).
pub const REQUEUE_AFTER_MINUTES: i64 = 15;

/// How long a sender holds `sending` before its claim counts as a crash.
pub const LEASE_SECONDS: i64 = 300;

pub fn decode(item: crate::kit::dynamo::Item) -> Result<SendRecord, Error> {
    crate::kit::dynamo::decode(item, "send")
}

/// The claim of `id` as it is now (`None`: never claimed).
pub async fn get(client: &Client, table: &str, id: &str) -> Result<Option<SendRecord>, Error> {
    crate::kit::dynamo::get(client, table, crate::kit::dynamo::key("id", id), "send").await
}

/// The conditional write that makes `due` this scheduler run's to enqueue: `false` when it
/// is not (claimed already, and neither deferred nor lost).
pub async fn claim(
    client: &Client,
    table: &str,
    due: &DueStep,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let stale = now - Duration::minutes(REQUEUE_AFTER_MINUTES);
    let expires = now + Duration::days(180);
    let updated = client
        .update_item()
        .table_name(table)
        .key("id", s(send_id(&due.cart_id, due.step)))
        .update_expression(
            "SET #status = :queued, cart_id = :cart, campaign_id = :campaign, step = :step, \
             due_at = :due, queued_at = :now, attempts = if_not_exists(attempts, :zero) + :one, \
             expires_at = :expires REMOVE lease_until",
        )
        .condition_expression(
            "attribute_not_exists(id) \
             OR #status = :deferred \
             OR (#status = :queued AND queued_at < :stale)",
        )
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":queued", s(SendStatus::Queued.as_str()))
        .expression_attribute_values(":deferred", s(SendStatus::Deferred.as_str()))
        .expression_attribute_values(":cart", s(&due.cart_id))
        .expression_attribute_values(":campaign", s(&due.campaign_id))
        .expression_attribute_values(":step", n(due.step))
        .expression_attribute_values(":due", due.due_at.clone())
        .expression_attribute_values(":now", s(stamp(now)))
        .expression_attribute_values(":stale", s(stamp(stale)))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":expires", n(expires.timestamp()))
        .send()
        .await;
    condition_held(updated, "UpdateItem send claim")
}

/// A move of a claim the sender makes, always from the status it read.
#[derive(Debug, Clone, Copy)]
pub enum Transition<'a> {
    /// `queued → sending`, held until `lease_until`: the only way to SES.
    Sending {
        lease_until: DateTime<Utc>,
        variant: &'a str,
    },
    /// `sending → sent`, with SES's message id.
    Sent {
        message_id: &'a str,
        at: DateTime<Utc>,
    },
    /// Back to the scheduler at `due`, for `why` (the counter it moves).
    Deferred { due: DateTime<Utc>, why: &'a str },
    /// Ended without an email: `skipped` or `uncertain`, for `reason`.
    Settled {
        to: SendStatus,
        reason: &'a str,
        at: DateTime<Utc>,
    },
}

/// The transaction item that moves claim `send_id` from `from` as `transition` says; the
/// transaction fails on it when another copy of the message moved the claim first.
pub fn transition(
    table: &str,
    send_id: &str,
    from: SendStatus,
    transition: Transition<'_>,
) -> Result<TransactWriteItem, Error> {
    let update = Update::builder()
        .table_name(table)
        .key("id", s(send_id))
        .condition_expression("#status = :from")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":from", s(from.as_str()));
    let update = match transition {
        Transition::Sending {
            lease_until,
            variant,
        } => update
            .update_expression("SET #status = :sending, lease_until = :lease, variant = :variant")
            .expression_attribute_values(":sending", s(SendStatus::Sending.as_str()))
            .expression_attribute_values(":lease", s(stamp(lease_until)))
            .expression_attribute_values(":variant", s(variant)),
        Transition::Sent { message_id, at } => update
            .update_expression(
                "SET #status = :sent, message_id = :mid, sent_at = :now REMOVE lease_until",
            )
            .expression_attribute_values(":sent", s(SendStatus::Sent.as_str()))
            .expression_attribute_values(":mid", s(message_id))
            .expression_attribute_values(":now", s(stamp(at))),
        Transition::Deferred { due, why } => update
            .update_expression(
                "SET #status = :deferred, due_at = :due, reason = :why REMOVE lease_until",
            )
            .expression_attribute_values(":deferred", s(SendStatus::Deferred.as_str()))
            .expression_attribute_values(":due", s(stamp(due)))
            .expression_attribute_values(":why", s(why)),
        Transition::Settled { to, reason, at } => update
            .update_expression(
                "SET #status = :to, reason = :reason, decided_at = :now REMOVE lease_until",
            )
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":reason", s(reason))
            .expression_attribute_values(":now", s(stamp(at))),
    };
    let update = update
        .build()
        .map_err(|e| Error::caused("send transition", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The scheduler's cursor: the oldest bucket that may still hold due steps.
pub async fn cursor(client: &Client, table: &str) -> Result<Option<DateTime<Utc>>, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .key("id", s(CURSOR_ID))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem scheduler cursor", e))?;
    Ok(out
        .item
        .and_then(|i| i.get("bucket").and_then(|v| v.as_s().ok()).cloned())
        .and_then(|b| NaiveDateTime::parse_from_str(&format!("{b}:00"), "%Y-%m-%dT%H:%M").ok())
        .map(|n| n.and_utc()))
}

pub async fn set_cursor(client: &Client, table: &str, bucket: String) -> Result<(), Error> {
    client
        .put_item()
        .table_name(table)
        .item("id", s(CURSOR_ID))
        .item("bucket", AttributeValue::S(bucket))
        .send()
        .await
        .map_err(|e| Error::from_sdk("PutItem scheduler cursor", e))?;
    Ok(())
}
