//! The contacts table's key layout, in one place: every item's `pk`/`sk` is built and read
//! here, so a change of layout is a change of this file.
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | profile | `contact#{id}` | `profile` |
//! | an identity of the contact | `contact#{id}` | `identity#{lookup key}` |
//! | lookup: which contact an identity is | `lookup#{lookup key}` | `lookup` |
//! | a merge candidate for staff | `contact#{id}` | `merge-candidate#{other id}` |
//! | what a merge moved (its undo) | `contact#{id}` | `merge#{merge id}` |
//! | whether the contact gets order news by direct message | `contact#{id}` | `order-news` |
//! | a source's verification emails this hour | `rate#verification#{source id}` | `{YYYY-MM-DDTHH}` |
//!
//! A lookup key is itself `{kind}#{keyed hash}` (`crate::contracts::lookup`).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::kit::dynamo::{pk_sk as key, s, Item};

const CONTACT: &str = "contact#";
const IDENTITY: &str = "identity#";
const LOOKUP: &str = "lookup#";

/// The sort key of a contact's profile.
pub const PROFILE: &str = "profile";
/// The sort key of a lookup item.
pub const LOOKUP_SK: &str = "lookup";

/// The partition of everything about one contact.
pub fn contact_pk(contact_id: &str) -> String {
    format!("{CONTACT}{contact_id}")
}

/// The contact a partition key names (`None` for a lookup's partition).
pub fn contact_id_of(pk: &str) -> Option<&str> {
    pk.strip_prefix(CONTACT)
}

pub fn identity_sk(lookup_key: &str) -> String {
    format!("{IDENTITY}{lookup_key}")
}

/// The lookup key an identity link's sort key holds (`None` for any other item).
pub fn lookup_key_of(sk: &str) -> Option<&str> {
    sk.strip_prefix(IDENTITY)
}

/// The sort-key prefix of a contact's identity links, for `begins_with` queries.
pub const IDENTITY_PREFIX: &str = IDENTITY;

pub fn lookup_pk(lookup_key: &str) -> String {
    format!("{LOOKUP}{lookup_key}")
}

/// The lookup key a lookup item's partition key holds.
pub fn lookup_key_in(pk: &str) -> &str {
    pk.strip_prefix(LOOKUP).unwrap_or(pk)
}

pub fn merge_candidate_sk(other_contact_id: &str) -> String {
    format!("merge-candidate#{other_contact_id}")
}

/// Whether a sort key is a merge candidate's.
pub fn is_merge_candidate(sk: &str) -> bool {
    sk.starts_with("merge-candidate#")
}

pub fn merge_sk(merge_id: &str) -> String {
    format!("merge#{merge_id}")
}

/// Whether a lookup key is an email's (`email#...`), rather than an account's or a handle's.
pub fn is_email_key(lookup_key: &str) -> bool {
    lookup_key.starts_with(crate::contracts::lookup::EMAIL_KIND_PREFIX)
}

/// The key of a contact's profile.
pub fn profile_key(contact_id: &str) -> Item {
    key(contact_pk(contact_id), PROFILE)
}

/// The key of a contact's order-news subscription.
pub fn order_news_key(contact_id: &str) -> Item {
    key(contact_pk(contact_id), "order-news")
}

/// The key of the lookup item of `lookup_key`.
pub fn lookup_item_key(lookup_key: &str) -> Item {
    key(lookup_pk(lookup_key), LOOKUP_SK)
}

/// The key of a contact's link to an identity.
pub fn identity_key(contact_id: &str, lookup_key: &str) -> Item {
    key(contact_pk(contact_id), identity_sk(lookup_key))
}

/// The key of a merge's record.
pub fn merge_key(contact_id: &str, merge_id: &str) -> Item {
    key(contact_pk(contact_id), merge_sk(merge_id))
}

/// The key of a source's counter of verification emails in the hour of `now`.
pub fn verification_counter_key(source_id: &str, now: chrono::DateTime<chrono::Utc>) -> Item {
    key(
        format!("rate#verification#{source_id}"),
        now.format("%Y-%m-%dT%H").to_string(),
    )
}

/// An item's sort key (`""` when it has none).
pub fn sort_key(item: &Item) -> &str {
    item.get("sk")
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// Whether an item is a profile.
pub fn is_profile(item: &Item) -> bool {
    sort_key(item) == PROFILE
}

/// `pk` as a query value, for the queries of one contact's items.
pub fn contact_partition(contact_id: &str) -> AttributeValue {
    s(contact_pk(contact_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_should_read_back_what_they_build() {
        assert_eq!(contact_id_of(&contact_pk("c_1")), Some("c_1"));
        assert_eq!(contact_id_of(&lookup_pk("email#ab")), None);
        assert_eq!(lookup_key_of(&identity_sk("email#ab")), Some("email#ab"));
        assert_eq!(lookup_key_of(PROFILE), None);
        assert_eq!(lookup_key_in(&lookup_pk("email#ab")), "email#ab");
        assert!(is_profile(&profile_key("c_1")));
        assert!(is_email_key("email#ab") && !is_email_key("account#ab"));
        // Items written by earlier versions keep their keys: the layout is the same.
        assert_eq!(contact_pk("c_1"), "contact#c_1");
        assert_eq!(identity_sk("email#ab"), "identity#email#ab");
        assert_eq!(lookup_pk("email#ab"), "lookup#email#ab");
        assert_eq!(merge_sk("m1"), "merge#m1");
    }
}
