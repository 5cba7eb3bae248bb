//! Pagination: DynamoDB's `LastEvaluatedKey` as an opaque `?after=` cursor for admin lists
//! (only string key attributes, and only the names the list expects, are accepted back, so
//! a forged cursor cannot steer a Query elsewhere), and every page of a Query read whole.
//! One page of a list: `?limit=` items (1 to 100, 50 by default) of a Query, and the
//! opaque cursor of the next page, given back as `?after=`; items as the JSON staff get.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use serde_json::Value;

use crate::kit::http::{self, Request};
use crate::Error;

type Item = HashMap<String, AttributeValue>;

pub fn encode_cursor(key: &Item) -> String {
    let plain: BTreeMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&plain).unwrap_or_default())
}

/// The key `cursor` encodes, which must have exactly the attributes `allowed`.
pub fn decode_cursor(cursor: &str, allowed: &[&str]) -> Result<Item, Error> {
    let invalid = || Error::validation("after", "invalid pagination cursor");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if plain.len() != allowed.len() || !plain.keys().all(|k| allowed.contains(&k.as_str())) {
        return Err(invalid());
    }
    Ok(plain
        .into_iter()
        .map(|(k, v)| (k, AttributeValue::S(v)))
        .collect())
}

/// Every item `query` finds, page after page (a Query returns at most 1 MB at a time).
pub async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    operation: &str,
) -> Result<Vec<Item>, Error> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = query
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| Error::from_sdk(operation, e))?;
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(key) => start = Some(key),
            None => return Ok(items),
        }
    }
}

/// A table item as the JSON staff get.
pub fn to_json(
    item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> Result<Value, Error> {
    crate::kit::dynamo::decode(item, "item")
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
/// the only ones a cursor may carry. A Query's `Limit` counts the items it reads, before
/// its filter: a filtered list reads on (at most [`MAX_READS`] times, each asking only for
/// what the page still lacks, so no item is read and then dropped) until the page is full
/// or the index ends, and a sparse filter gives a short page with a cursor, never an empty
/// page that looks like the end.
pub async fn page(
    req: &Request,
    query: QueryFluentBuilder,
    key_names: &[&str],
    operation: &str,
) -> Result<(Vec<Value>, Option<String>), Error> {
    let limit = page_limit(req)?;
    let mut start = http::query_param(req, "after")
        .map(|cursor| decode_cursor(cursor, key_names))
        .transpose()?;
    let mut items = Vec::new();
    for _ in 0..MAX_READS {
        let wanted = limit - i32::try_from(items.len()).unwrap_or(limit);
        let out = query
            .clone()
            .limit(wanted)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| Error::from_sdk(operation, e))?;
        for item in out.items.unwrap_or_default() {
            items.push(to_json(item)?);
        }
        start = out.last_evaluated_key;
        if start.is_none() || items.len() >= limit as usize {
            break;
        }
    }
    Ok((items, start.map(|key| encode_cursor(&key))))
}

/// The most Queries one filtered page makes (each at most `?limit=` items read).
pub const MAX_READS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_should_round_trip_and_a_forged_one_be_refused() {
        let key: Item = [
            ("id".to_string(), AttributeValue::S("evt_1".into())),
            ("received_at".to_string(), AttributeValue::S("2026".into())),
        ]
        .into();
        let cursor = encode_cursor(&key);
        assert_eq!(decode_cursor(&cursor, &["id", "received_at"]).unwrap(), key);
        assert!(decode_cursor(&cursor, &["id", "kind", "created_at"]).is_err());
        assert!(decode_cursor("not base64!", &["id"]).is_err());
    }
}
