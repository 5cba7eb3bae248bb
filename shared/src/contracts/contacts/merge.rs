//! Merging two contacts staff decided are one person, and undoing it, as writes to the
//! contacts table and to the timeline items that name a contact (`contact_id`, the
//! `ByContact` index every timeline table has). Admin decides and orchestrates; the writes
//! are here. A merge's record (`merge#{id}` under the kept contact) lists exactly what moved,
//! so the undo moves exactly that back.

use aws_sdk_dynamodb::Client;
use serde::{Deserialize, Serialize};

use super::keys;
use crate::kit::dynamo::{self, is_condition_failure, s, Item};
use crate::Error;

/// What a merge moved: the undo's instructions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeRecord {
    pub pk: String,
    pub sk: String,
    pub merge_id: String,
    pub from: String,
    pub into: String,
    pub identity_keys: Vec<String>,
    /// (table, id) of each timeline item moved.
    pub moved: Vec<(String, String)>,
    pub merged_by: String,
    pub merged_at: String,
}

impl MergeRecord {
    /// The record of merge `merge_id` of `from` into `into`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        merge_id: &str,
        from: &str,
        into: &str,
        identity_keys: Vec<String>,
        moved: Vec<(String, String)>,
        merged_by: &str,
        merged_at: &str,
    ) -> Self {
        MergeRecord {
            pk: keys::contact_pk(into),
            sk: keys::merge_sk(merge_id),
            merge_id: merge_id.to_string(),
            from: from.to_string(),
            into: into.to_string(),
            identity_keys,
            moved,
            merged_by: merged_by.to_string(),
            merged_at: merged_at.to_string(),
        }
    }
}

pub async fn put_record(client: &Client, table: &str, record: &MergeRecord) -> Result<(), Error> {
    client
        .put_item()
        .table_name(table)
        .set_item(Some(dynamo::encode(record, "merge")?))
        .send()
        .await
        .map_err(|e| Error::from_sdk("PutItem merge", e))?;
    Ok(())
}

pub async fn get_record(
    client: &Client,
    table: &str,
    into: &str,
    merge_id: &str,
) -> Result<Option<MergeRecord>, Error> {
    dynamo::get(client, table, keys::merge_key(into, merge_id), "merge").await
}

pub async fn delete_record(
    client: &Client,
    table: &str,
    into: &str,
    merge_id: &str,
) -> Result<(), Error> {
    client
        .delete_item()
        .table_name(table)
        .set_key(Some(keys::merge_key(into, merge_id)))
        .send()
        .await
        .map_err(|e| Error::from_sdk("DeleteItem merge", e))?;
    Ok(())
}

/// `SET contact_id = into` on the item at `key` of `table`, if it still names `from`: a
/// lookup or a timeline item. One that no longer does (already moved by a retried merge,
/// erased, or taken by someone else) is left alone.
pub async fn repoint(
    client: &Client,
    table: &str,
    key: Item,
    from: &str,
    into: &str,
) -> Result<(), Error> {
    let result = client
        .update_item()
        .table_name(table)
        .set_key(Some(key))
        .update_expression("SET contact_id = :into")
        .condition_expression("contact_id = :from")
        .expression_attribute_values(":into", s(into))
        .expression_attribute_values(":from", s(from))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_condition_failure(&e) => Ok(()),
        Err(e) => Err(Error::from_sdk("UpdateItem contact_id", e)),
    }
}

/// Re-points the lookup of `lookup_key` (if it still names `from`) and moves the identity
/// `link` from `from`'s partition to `into`'s.
pub async fn move_identity(
    client: &Client,
    table: &str,
    link: &Item,
    lookup_key: &str,
    from: &str,
    into: &str,
) -> Result<(), Error> {
    repoint(client, table, keys::lookup_item_key(lookup_key), from, into).await?;
    let mut moved = link.clone();
    moved.insert("pk".into(), s(keys::contact_pk(into)));
    client
        .put_item()
        .table_name(table)
        .set_item(Some(moved))
        .send()
        .await
        .map_err(|e| Error::from_sdk("PutItem identity", e))?;
    client
        .delete_item()
        .table_name(table)
        .set_key(Some(keys::identity_key(from, lookup_key)))
        .send()
        .await
        .map_err(|e| Error::from_sdk("DeleteItem identity", e))?;
    Ok(())
}

/// Marks `contact`'s profile as merged into `into`, or (`None`) no longer.
pub async fn set_merged_into(
    client: &Client,
    table: &str,
    contact: &str,
    into: Option<&str>,
) -> Result<(), Error> {
    let update = client
        .update_item()
        .table_name(table)
        .set_key(Some(keys::profile_key(contact)));
    let update = match into {
        Some(into) => update
            .update_expression("SET merged_into = :into")
            .expression_attribute_values(":into", s(into)),
        None => update.update_expression("REMOVE merged_into"),
    };
    update
        .send()
        .await
        .map_err(|e| Error::from_sdk("UpdateItem profile", e))?;
    Ok(())
}
