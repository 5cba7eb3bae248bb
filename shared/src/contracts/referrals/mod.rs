//! Referral codes (`/r/{code}` links, an order's `ref`): their shape, the suggestion a code
//! belongs to (`SuggestionsTable`'s `ByCode` index) and the visits its link counts there. The
//! referrals function writes suggestions (`functions/referrals/src/suggestions.rs` has their
//! layout); the tracking function reads codes and counts visits; admin erases a person's
//! referral data ([`erasure`]).
//!
//! Also the partition keys of `ReferralsTable`, which the referrals function writes
//! (`functions/referrals/src/conversions.rs` has the item layout) and admin erases.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::Error;

pub mod erasure;

pub const BY_CODE_INDEX: &str = "ByCode";
/// `SuggestionsTable`: the invitations a known contact received (attribution, erasure).
pub const SUGGESTIONS_BY_CONTACT_INDEX: &str = "ByContact";
/// `ReferralsTable`: the conversions a referrer brought (anti-fraud counts, erasure).
pub const CONVERSIONS_BY_REFERRER_INDEX: &str = "ByReferrer";
/// `ReferralsTable`: the conversion that referred a buyer (erasure).
pub const CONVERSIONS_BY_REFERRED_INDEX: &str = "ByReferred";
/// `ReferralsTable`: every conversion by the time of its order (staff's list, revenue).
pub const CONVERSIONS_BY_KIND_INDEX: &str = "ByKind";
/// `ReferralsTable`'s `kind` of a conversion item, the `ByKind` index's partition.
pub const CONVERSION_KIND: &str = "conversion";

/// The conversions whose order was placed from `since` to `before`, oldest first: the
/// query, for the caller to page (the revenue report).
pub fn conversions_placed(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    since: chrono::DateTime<chrono::Utc>,
    before: chrono::DateTime<chrono::Utc>,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    client
        .query()
        .table_name(table)
        .index_name(CONVERSIONS_BY_KIND_INDEX)
        .key_condition_expression("kind = :k AND placed_at BETWEEN :since AND :before")
        .expression_attribute_values(":k", AttributeValue::S(CONVERSION_KIND.into()))
        .expression_attribute_values(":since", AttributeValue::S(crate::kit::clock::stamp(since)))
        .expression_attribute_values(
            ":before",
            AttributeValue::S(crate::kit::clock::stamp(before)),
        )
}

/// `ReferralsTable`'s partition of one person: their order prints, the mark that they were
/// referred.
pub fn person_pk(contact_id: &str) -> String {
    format!("contact#{contact_id}")
}

/// `ReferralsTable`'s partition of one conversion.
pub fn conversion_pk(conversion_id: &str) -> String {
    format!("conversion#{conversion_id}")
}

/// Whether `code` has the shape Liaison gives codes (`r_` and 26 base32 letters), checked
/// before any read: a probe with junk costs nothing.
pub fn is_code(code: &str) -> bool {
    code.strip_prefix("r_").is_some_and(|rest| {
        rest.len() == 26
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The key (`pk` = referrer contact id, `sk` = candidate key) of the suggestion `code`
/// belongs to.
pub async fn find_code(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    code: &str,
) -> Result<Option<(String, String)>, Error> {
    if !is_code(code) {
        return Ok(None);
    }
    let out = client
        .query()
        .table_name(table)
        .index_name(BY_CODE_INDEX)
        .key_condition_expression("code = :c")
        .expression_attribute_values(":c", AttributeValue::S(code.to_string()))
        .limit(1)
        .send()
        .await
        .map_err(|e| Error::from_sdk("Query suggestion by code", e))?;
    Ok(out.items().first().and_then(|item| {
        Some((
            item.get("pk")?.as_s().ok()?.clone(),
            item.get("sk")?.as_s().ok()?.clone(),
        ))
    }))
}

/// Counts a visit of the referral link of suggestion (`referrer`, `candidate`) in
/// `SuggestionsTable`: how many, the first and the last. `false` when the suggestion is gone
/// (erased between the read of its code and this write).
pub async fn count_visit(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    referrer: &str,
    candidate: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Error> {
    let now = crate::kit::clock::stamp(now);
    let counted = client
        .update_item()
        .table_name(table)
        .key("pk", AttributeValue::S(referrer.to_string()))
        .key("sk", AttributeValue::S(candidate.to_string()))
        .update_expression(
            "ADD visits :one SET clicked_at = if_not_exists(clicked_at, :now), last_visit_at = :now",
        )
        .condition_expression("attribute_exists(sk)")
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(":now", AttributeValue::S(now))
        .send()
        .await;
    crate::kit::dynamo::condition_held(counted, "UpdateItem referral visit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_codes_liaison_gives_should_be_looked_up() {
        let code = crate::kit::ids::new_id("r").unwrap();
        assert!(is_code(&code), "{code}");
        assert!(!is_code("r_short"));
        assert!(!is_code(&code.to_uppercase()));
        assert!(!is_code(&format!("x{}", &code[1..])));
        assert!(!is_code(&format!("{code}a")));
    }
}
