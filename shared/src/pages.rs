//! Pagination: DynamoDB's `LastEvaluatedKey` as an opaque `?after=` cursor for admin lists
//! (only string key attributes, and only the names the list expects, are accepted back, so
//! a forged cursor cannot steer a Query elsewhere), and every page of a Query read whole.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;

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
