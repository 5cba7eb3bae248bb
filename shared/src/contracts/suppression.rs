//! `SuppressionTable`: addresses never to write to again, by keyed hash only
//! (`email_key` = the address's lookup key, [`crate::contracts::lookup`]), so the table names no one.
//! Bounces and complaints (ses-events), unsubscribes (tracking) and erasures (admin) put an
//! address there; every function that sends reads it before it sends. Kept by address, not
//! by contact, it survives merges, new contacts and a new checkout with the same address.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use crate::Error;

/// Why an address is on the list (`reason`).
pub const BOUNCE: &str = "bounce";
pub const COMPLAINT: &str = "complaint";
pub const UNSUBSCRIBE: &str = "unsubscribe";

/// The lookup key of `address`, or `None` when it is not an address.
pub fn email_key(hash_key: &[u8], address: &str) -> Option<String> {
    let email = crate::contracts::lookup::normalise_email(address)?;
    Some(crate::contracts::lookup::lookup_key(
        hash_key, "email", &email,
    ))
}

/// Whether `email_key` is on the list (read consistently: an address suppressed a moment ago
/// gets nothing).
pub async fn contains(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    email_key: &str,
) -> Result<bool, Error> {
    let out = client
        .get_item()
        .table_name(table)
        .key("email_key", AttributeValue::S(email_key.to_string()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem suppression", e))?;
    Ok(out.item.is_some())
}

/// Why `email_key` is on the list, if it is: a service message (an answer about the
/// person's own case) still goes to an address that only unsubscribed from marketing.
pub async fn reason(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    email_key: &str,
) -> Result<Option<String>, Error> {
    let item = crate::kit::dynamo::get_item(
        client,
        table,
        crate::kit::dynamo::key("email_key", email_key),
        "suppression",
    )
    .await?;
    Ok(item.map(|item| {
        crate::kit::dynamo::text(&item, "reason")
            .unwrap_or(BOUNCE)
            .to_string()
    }))
}

/// Puts `email_key` on the list; `false` when it was already there. The first entry stays
/// as it was (an erasure, or the first bounce, and when): a duplicate event, or a second
/// reason, changes nothing.
pub async fn add(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    email_key: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let put = client
        .put_item()
        .table_name(table)
        .item("email_key", AttributeValue::S(email_key.to_string()))
        .item("reason", AttributeValue::S(reason.to_string()))
        .item("at", AttributeValue::S(crate::kit::clock::stamp(at)))
        .condition_expression("attribute_not_exists(email_key)")
        .send()
        .await;
    crate::kit::dynamo::condition_held(put, "PutItem suppression")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_should_not_depend_on_case_or_spaces_nor_hold_the_address() {
        let key = email_key(
            b"0123456789abcdef0123456789abcdef",
            " Ada.Lovelace@Example.com ",
        )
        .unwrap();
        assert_eq!(
            Some(key.clone()),
            email_key(
                b"0123456789abcdef0123456789abcdef",
                "ada.lovelace@example.com"
            )
        );
        assert!(key.starts_with("email#") && !key.contains("ada"), "{key}");
        assert_eq!(email_key(b"k", "not an address"), None);
    }
}
