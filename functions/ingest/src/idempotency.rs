//! "Exactly one effect" for things that may be delivered more than once.
//!
//! A caller first *claims* a key with a conditional write. The claim is a lease: if the
//! caller dies before [`Idempotency::complete`], the key can be claimed again once the lease
//! runs out, so nothing accepted is lost. A completed key answers `Done` with the stored
//! result until its `ttl` passes (DynamoDB deletes it some time after; reads treat an expired
//! item as absent, since TTL deletion is lazy).
//!
//! Table `IdempotencyTable`: partition key `key`; attributes `state`, `lease_until`, `ttl`,
//! `result`.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};

use shared::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This caller holds the key: do the work, then `complete` (or `release` on failure).
    Acquired,
    /// Already done; `result` is what the first caller recorded.
    Done { result: Option<String> },
    /// Another caller holds a live lease on the key.
    InProgress,
}

#[derive(Debug, Clone)]
pub struct Idempotency {
    client: Client,
    table: String,
}

const IN_PROGRESS: &str = "in_progress";
const DONE: &str = "done";

impl Idempotency {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Claims `key` for `lease`; the record lives for `retention` (the replay window).
    pub async fn claim(
        &self,
        key: &str,
        now: DateTime<Utc>,
        lease: Duration,
        retention: Duration,
    ) -> Result<Claim> {
        let now_s = now.timestamp();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("key", AttributeValue::S(key.to_string()))
            .item("state", AttributeValue::S(IN_PROGRESS.into()))
            .item("lease_until", number((now + lease).timestamp()))
            .item("ttl", number((now + retention).timestamp()))
            .condition_expression(
                "attribute_not_exists(#key) OR #ttl <= :now \
                 OR (#state = :in_progress AND lease_until <= :now)",
            )
            .expression_attribute_names("#key", "key")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":now", number(now_s))
            .expression_attribute_values(":in_progress", AttributeValue::S(IN_PROGRESS.into()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Claim::Acquired),
            Err(err) => match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let item = match failed.item() {
                        Some(item) => Some(item.clone()),
                        None => self.read(key).await?,
                    };
                    Ok(match item {
                        Some(item) if attr_s(&item, "state") == Some(DONE) => Claim::Done {
                            result: attr_s(&item, "result").map(str::to_string),
                        },
                        _ => Claim::InProgress,
                    })
                }
                _ => Err(Error::from_sdk("PutItem idempotency claim", err)),
            },
        }
    }

    /// Marks `key` done with `result`, kept for `retention` from `now`.
    pub async fn complete(
        &self,
        key: &str,
        result: &str,
        now: DateTime<Utc>,
        retention: Duration,
    ) -> Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("key", AttributeValue::S(key.to_string()))
            .update_expression(
                "SET #state = :done, #result = :result, #ttl = :ttl REMOVE lease_until",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#result", "result")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":done", AttributeValue::S(DONE.into()))
            .expression_attribute_values(":result", AttributeValue::S(result.to_string()))
            .expression_attribute_values(":ttl", number((now + retention).timestamp()))
            .send()
            .await
            .map_err(|e| Error::from_sdk("UpdateItem idempotency complete", e))?;
        Ok(())
    }

    /// Gives up a claim whose work failed, so that a retry is not told "in progress".
    pub async fn release(&self, key: &str) -> Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("key", AttributeValue::S(key.to_string()))
            .condition_expression("#state = :in_progress")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":in_progress", AttributeValue::S(IN_PROGRESS.into()))
            .send()
            .await
            .map(|_| ())
            .or_else(|e| {
                if shared::kit::dynamo::is_condition_failure(&e) {
                    Ok(())
                } else {
                    Err(Error::from_sdk("DeleteItem idempotency release", e))
                }
            })
    }

    async fn read(
        &self,
        key: &str,
    ) -> Result<Option<std::collections::HashMap<String, AttributeValue>>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("key", AttributeValue::S(key.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem idempotency", e))?;
        Ok(out.item)
    }
}

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

fn attr_s<'a>(
    item: &'a std::collections::HashMap<String, AttributeValue>,
    name: &str,
) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}
