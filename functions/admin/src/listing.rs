//! One page of an admin list: `?limit=` items (1 to 100, 50 by default) of a Query, and the
//! opaque cursor of the next page, given back as `?after=` (`shared::pages`); and items as
//! the JSON staff get.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use serde_json::Value;
use shared::http::{self, Request};
use shared::Error;

/// A table item as the JSON staff get.
pub fn to_json(
    item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> Result<Value, Error> {
    serde_dynamo::from_item(item).map_err(|e| Error::Internal(format!("decode item: {e}")))
}

/// `?limit=`: 1 to 100, 50 when absent (every admin list).
pub fn page_limit(req: &Request) -> Result<i32, Error> {
    match http::query_param(req, "limit") {
        None => Ok(50),
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| Error::validation("limit", "must be 1 to 100")),
    }
}

/// The page `req` asks for; `key_names` are the table's and the index's key attributes,
/// the only ones a cursor may carry.
pub async fn page(
    req: &Request,
    query: QueryFluentBuilder,
    key_names: &[&str],
    operation: &str,
) -> Result<(Vec<Value>, Option<String>), Error> {
    let start = http::query_param(req, "after")
        .map(|cursor| shared::pages::decode_cursor(cursor, key_names))
        .transpose()?;
    let out = query
        .limit(page_limit(req)?)
        .set_exclusive_start_key(start)
        .send()
        .await
        .map_err(|e| Error::from_sdk(operation, e))?;
    let items = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(to_json)
        .collect::<Result<Vec<Value>, _>>()?;
    let next = out
        .last_evaluated_key
        .map(|key| shared::pages::encode_cursor(&key));
    Ok((items, next))
}
