//! `ReceivedTable`'s home: the last webhook deliveries each source received, and what
//! ingest answered, so a platform owner can see whether their webhook works ("is my webhook
//! working?") without reading logs: accepted (with the events it queued, new or duplicate),
//! ignored (with the reasons; the body is in `IgnoredTable`), refused (a bad signature,
//! too large, unreadable: the error's code and field, never its message, which can quote
//! the payload) or failed (a 5xx the platform retries).
//!
//! Nothing personal is kept: no body, no text, no header; event ids only. Partition key
//! `source_id`, sort key `id` (the receipt time then a random suffix, so a Query reads a
//! source's deliveries newest first); `ttl` after [`RETENTION_DAYS`].
//!
//! Refusals come from whoever knows a source's URL, signed or not: ingest records at most
//! one per source every [`REFUSAL_SPACING_SECONDS`] per function instance, so a flood of
//! forged requests costs a few writes, not one per request.

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kit::dynamo;
use crate::kit::error::{Error, Result};

pub const RETENTION_DAYS: i64 = 7;
pub const REFUSAL_SPACING_SECONDS: i64 = 10;

/// What ingest made of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one event was new and is queued.
    Accepted,
    /// Every event in it had been received before.
    Duplicate,
    /// Verified, but what it holds is not acted on (an unsupported topic, a private
    /// message...): the reasons say why.
    Ignored,
    /// Verified, with nothing in it: a platform's ping or test delivery.
    Ping,
    /// Answered 4xx: nothing stored, nothing queued.
    Refused,
    /// Answered 5xx: nothing lost, the platform sends it again.
    Failed,
}

/// One event a delivery carried, as ingest queued it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedEvent {
    pub id: String,
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub source_id: String,
    pub id: String,
    pub received_at: DateTime<Utc>,
    pub platform: String,
    pub outcome: Outcome,
    /// The HTTP status ingest answered.
    pub status: u16,
    /// The platform's event name (its topic header), when it sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<ReceivedEvent>,
    /// `reason: detail` of what was ignored in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
    /// A refusal's error code (`unauthorized`, `payload_too_large`, `invalid_request`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// A refusal's field, when the error names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_field: Option<String>,
    pub ttl: i64,
}

impl Receipt {
    /// A receipt for `source_id` at `now`, to be filled by the caller. Its id starts with
    /// the time at a fixed width (microseconds), so ids sort as times do.
    pub fn new(
        source_id: &str,
        platform: &str,
        outcome: Outcome,
        status: u16,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        Ok(Receipt {
            source_id: source_id.to_string(),
            id: format!(
                "{}#{}",
                now.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
                crate::kit::ids::new_id("rcv")?
            ),
            received_at: now,
            platform: platform.to_string(),
            outcome,
            status,
            event: None,
            events: Vec::new(),
            ignored: Vec::new(),
            error_code: None,
            error_field: None,
            ttl: (now + Duration::days(RETENTION_DAYS)).timestamp(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ReceivedLog {
    client: Client,
    table: String,
}

impl ReceivedLog {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn record(&self, receipt: &Receipt) -> Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(dynamo::encode(receipt, "receipt")?))
            .send()
            .await
            .map_err(|e| Error::from_sdk("PutItem receipt", e))?;
        Ok(())
    }

    /// A source's deliveries, newest first: the Query for a caller to page.
    pub fn newest_first(
        &self,
        source_id: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        dynamo::query_eq(&self.client, &self.table, None, "source_id", source_id)
            .scan_index_forward(false)
    }
}

/// Whether a refusal for a source last recorded at `last` may be recorded at `now`.
pub fn refusal_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|last| now - last >= Duration::seconds(REFUSAL_SPACING_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_should_sort_by_time_and_keep_no_more_than_a_week() {
        let at: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        let receipt = |outcome, status, at| Receipt::new("src_1", "shopify", outcome, status, at);
        let early = receipt(Outcome::Accepted, 202, at).unwrap();
        // Whole seconds then a fraction: still in order (a variable-width stamp would not be).
        let later = receipt(Outcome::Refused, 401, at + Duration::milliseconds(5)).unwrap();
        assert!(early.id < later.id, "{} {}", early.id, later.id);
        assert!(early.id.starts_with("2026-12-07T10:00:00.000000Z#rcv_"));
        assert_eq!(early.ttl - at.timestamp(), 7 * 86_400);
        let same = receipt(Outcome::Accepted, 202, at).unwrap();
        assert_ne!(
            early.id, same.id,
            "two deliveries in the same instant both kept"
        );
    }

    #[test]
    fn refusals_should_be_recorded_at_most_once_in_a_spacing() {
        let at: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        assert!(refusal_due(None, at));
        assert!(!refusal_due(Some(at), at + Duration::seconds(9)));
        assert!(refusal_due(Some(at), at + Duration::seconds(10)));
    }
}
