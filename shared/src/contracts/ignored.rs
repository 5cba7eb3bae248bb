//! Verified webhook bodies that Liaison does not act on (an unsupported topic, a shape it
//! does not read, the account's own post). They are answered 2xx so the platform neither
//! retries forever nor disables the hook, and kept here with their raw bytes and reasons
//! for a while, so nothing accepted disappears silently: staff list them per source
//! (`GET /admin/sources/{id}/ignored`) and a metric counts them.
//!
//! Table `IgnoredTable`: partition key `source_id`, sort key `id` (a digest of the body, so
//! a platform's retries of one body leave one record); `ttl` after the retention.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kit::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgnoredRecord {
    pub source_id: String,
    pub id: String,
    pub platform: String,
    pub received_at: DateTime<Utc>,
    /// `reason: detail` for each thing ignored in the body.
    pub reasons: Vec<String>,
    /// The platform's event name (topic header), when it sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The body as received: UTF-8 text, or base64 when it is not UTF-8.
    pub body: String,
    #[serde(default)]
    pub body_base64: bool,
    pub ttl: i64,
}

#[derive(Debug, Clone)]
pub struct IgnoredStore {
    client: Client,
    table: String,
}

impl IgnoredStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Keeps `body` for `retention`. A retry of the same body overwrites its own record.
    #[allow(clippy::too_many_arguments)]
    pub async fn record(
        &self,
        source_id: &str,
        platform: &str,
        event: Option<&str>,
        body: &[u8],
        reasons: Vec<String>,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<IgnoredRecord> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(body);
        let id = format!("ign_{}", hex::encode(&digest[..16]));
        let (body, body_base64) = match std::str::from_utf8(body) {
            Ok(text) => (text.to_string(), false),
            Err(_) => {
                use base64::Engine;
                (base64::engine::general_purpose::STANDARD.encode(body), true)
            }
        };
        let record = IgnoredRecord {
            source_id: source_id.to_string(),
            id,
            platform: platform.to_string(),
            received_at: now,
            reasons,
            event: event.map(str::to_string),
            body,
            body_base64,
            ttl: (now + retention).timestamp(),
        };
        let item: HashMap<String, AttributeValue> =
            crate::kit::dynamo::encode(&record, "ignored record")?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::from_sdk("PutItem ignored", e))?;
        Ok(record)
    }

    /// The records of one source still within their retention (at most `limit`).
    pub async fn list(
        &self,
        source_id: &str,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<IgnoredRecord>> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("source_id = :s")
            .expression_attribute_values(":s", AttributeValue::S(source_id.to_string()))
            .limit(limit)
            .send()
            .await
            .map_err(|e| Error::from_sdk("Query ignored", e))?;
        let mut records = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, IgnoredRecord>(item)
                    .map_err(|e| Error::caused("decode ignored record", e))
            })
            .collect::<Result<Vec<_>>>()?;
        // TTL deletion is lazy: an expired record is already gone as far as readers go.
        records.retain(|r| r.ttl > now.timestamp());
        records.sort_by_key(|r| std::cmp::Reverse(r.received_at));
        Ok(records)
    }
}
