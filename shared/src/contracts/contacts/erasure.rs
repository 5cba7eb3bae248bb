//! Erasing a contact from the contacts table: its lookups (only those that still name it)
//! and then its own items. Admin's erasure orchestrates the rest (the timeline, referral data,
//! the suppression of its addresses) and calls these last, so a retry after a failure still
//! finds the contact's identities.

use aws_sdk_dynamodb::Client;

use super::keys;
use crate::kit::dynamo::{is_condition_failure, s, Item};
use crate::Error;

/// Deletes the lookup of `lookup_key` if it still names `contact_id` (a merge or a newer
/// contact may have taken the identity since).
pub async fn delete_lookup(
    client: &Client,
    table: &str,
    lookup_key: &str,
    contact_id: &str,
) -> Result<(), Error> {
    let deleted = client
        .delete_item()
        .table_name(table)
        .set_key(Some(keys::lookup_item_key(lookup_key)))
        .condition_expression("contact_id = :c")
        .expression_attribute_values(":c", s(contact_id))
        .send()
        .await;
    match deleted {
        Ok(_) => Ok(()),
        Err(e) if is_condition_failure(&e) => Ok(()),
        Err(e) => Err(Error::from_sdk("DeleteItem lookup", e)),
    }
}

/// Deletes a timeline item (a contribution, a case, a cart, an email...: every timeline
/// table is keyed by `id`) as read from its `ByContact` index: `false` for an item without
/// an id.
pub async fn delete_timeline_item(
    client: &Client,
    table: &str,
    item: &Item,
) -> Result<bool, Error> {
    let Some(name) = timeline_item_name(item) else {
        return Ok(false);
    };
    client
        .delete_item()
        .table_name(table)
        .set_key(Some(timeline_item_key(&name)))
        .send()
        .await
        .map_err(|e| Error::from_sdk("DeleteItem timeline", e))?;
    Ok(true)
}

/// Between the two parts of a `pk`/`sk` timeline item's name: a character no key holds.
const KEY_SEPARATOR: char = '\u{1f}';

/// How a merge record names a timeline item: its `id`, or `{pk}␟{sk}` in a table keyed so
/// (answers live under their contribution).
pub fn timeline_item_name(item: &Item) -> Option<String> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    match (text("pk"), text("sk"), text("id")) {
        (Some(pk), Some(sk), _) => Some(format!("{pk}{KEY_SEPARATOR}{sk}")),
        (_, _, Some(id)) => Some(id.clone()),
        _ => None,
    }
}

/// The key of the timeline item a name names.
pub fn timeline_item_key(name: &str) -> Item {
    use crate::kit::dynamo::s;
    match name.split_once(KEY_SEPARATOR) {
        Some((pk, sk)) => Item::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))]),
        None => Item::from([("id".to_string(), s(name))]),
    }
}

/// Deletes each of the contact's own `items` (its profile, identity links, merge records).
pub async fn delete_items(client: &Client, table: &str, items: &[Item]) -> Result<(), Error> {
    for item in items {
        let key: Item = ["pk", "sk"]
            .iter()
            .filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem contact", e))?;
    }
    Ok(())
}
