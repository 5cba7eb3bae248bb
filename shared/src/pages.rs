//! Pagination of admin lists: DynamoDB's `LastEvaluatedKey` as an opaque `?after=` cursor.
//! Only string key attributes, and only the names the list expects, are accepted back, so
//! a forged cursor cannot steer a Query elsewhere.

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
