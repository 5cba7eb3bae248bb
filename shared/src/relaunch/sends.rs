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

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

pub fn decode(
    item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> Result<SendRecord, crate::Error> {
    serde_dynamo::from_item(item).map_err(|e| crate::Error::Internal(format!("decode send: {e}")))
}
