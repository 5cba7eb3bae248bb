//! Merging two contacts that staff decided are one person, and undoing it. Never automatic
//! (identify only proposes candidates). A merge moves the other contact's identities
//! (lookups re-pointed, conditional on still naming it) and its timeline (contributions,
//! cases, opportunities) to the kept contact, and records exactly what it moved; the undo
//! moves exactly that back. The other contact's profile stays, marked `merged_into`, so the
//! undo has somewhere to return to.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::contracts::contacts::keys;
use shared::kit::dynamo;
use shared::kit::http::{self, Request, Response};
use shared::Error;

use crate::contacts::Contacts;
use shared::kit::auth::Caller;

/// The most timeline items one merge moves (its record lists them, and undo reads it).
pub const MAX_MERGE_ITEMS: usize = 1000;

type Item = HashMap<String, AttributeValue>;

#[derive(Deserialize)]
struct MergeRequest {
    from: String,
}

/// What a merge moved: the undo's instructions.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MergeRecord {
    pk: String,
    sk: String,
    merge_id: String,
    from: String,
    into: String,
    identity_keys: Vec<String>,
    /// (table, id) of each timeline item moved.
    moved: Vec<(String, String)>,
    merged_by: String,
    merged_at: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

impl Contacts {
    pub async fn merge(
        &self,
        req: &Request,
        into: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let MergeRequest { from } = http::json_body(req)?;
        if from == into {
            return Err(Error::validation(
                "from",
                "a contact cannot be merged into itself",
            ));
        }
        let into_items = self.contact_items(into).await?;
        let from_items = self.contact_items(&from).await?;
        if !has_profile(&into_items) || !has_profile(&from_items) {
            return Err(Error::NotFound("no such contact".into()));
        }
        if from_items.iter().any(|i| i.contains_key("merged_into")) {
            return Err(Error::Conflict("that contact was already merged".into()));
        }
        // Everything to move, counted before anything moves: the merge's record (what its
        // undo moves back) is one item, which cannot pass 400 KB, and the request has seconds.
        let mut to_move = Vec::new();
        for table in self.timeline_table_names() {
            for id in self.ids_by_contact(&table, &from).await? {
                to_move.push((table.clone(), id));
            }
        }
        if to_move.len() > MAX_MERGE_ITEMS {
            return Err(Error::Conflict(format!(
                "that contact has {} timeline items; a merge moves at most {MAX_MERGE_ITEMS}",
                to_move.len()
            )));
        }
        let merge_id = shared::kit::ids::new_id("mrg")?;
        let mut identity_keys = Vec::new();
        for item in &from_items {
            let Some(key) = keys::lookup_key_of(keys::sort_key(item)) else {
                continue;
            };
            self.move_identity(item, key, &from, into).await?;
            identity_keys.push(key.to_string());
        }
        for (table, id) in &to_move {
            self.repoint(table, item_key(id), &from, into).await?;
        }
        let now = chrono::Utc::now().to_rfc3339();
        let record = MergeRecord {
            pk: keys::contact_pk(into),
            sk: keys::merge_sk(&merge_id),
            merge_id: merge_id.clone(),
            from: from.clone(),
            into: into.to_string(),
            identity_keys,
            moved: to_move,
            merged_by: caller.subject.clone(),
            merged_at: now,
        };
        let item: Item =
            serde_dynamo::to_item(&record).map_err(|e| Error::caused("encode merge", e))?;
        self.client
            .put_item()
            .table_name(&self.contacts_table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::from_sdk("PutItem merge", e))?;
        self.set_merged_into(&from, Some(into)).await?;
        tracing::info!(merge_id = %merge_id, into = %into, from = %from, "contacts merged");
        Ok(http::json(
            200,
            &json!({"merge_id": merge_id, "into": into, "from": from,
                    "identities": record.identity_keys.len(), "timeline_items": record.moved.len()}),
        ))
    }

    pub async fn undo_merge(&self, into: &str, merge_id: &str) -> Result<Response, Error> {
        let key = keys::merge_key(into, merge_id);
        let record: MergeRecord = dynamo::get(&self.client, &self.contacts_table, key, "merge")
            .await?
            .ok_or_else(|| Error::NotFound("no such merge".into()))?;
        let into_items = self.contact_items(into).await?;
        for key in &record.identity_keys {
            if let Some(item) = into_items
                .iter()
                .find(|i| keys::sort_key(i) == keys::identity_sk(key))
            {
                self.move_identity(item, key, into, &record.from).await?;
            }
        }
        for (table, id) in &record.moved {
            self.repoint(table, item_key(id), into, &record.from)
                .await?;
        }
        self.set_merged_into(&record.from, None).await?;
        self.client
            .delete_item()
            .table_name(&self.contacts_table)
            .set_key(Some(keys::merge_key(into, merge_id)))
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem merge", e))?;
        tracing::info!(merge_id = %merge_id, "merge undone");
        Ok(http::json(
            200,
            &json!({"undone": merge_id, "from": record.from, "into": into}),
        ))
    }

    /// Re-points the lookup (if it still names `from`) and moves the identity link.
    async fn move_identity(
        &self,
        link: &Item,
        key: &str,
        from: &str,
        into: &str,
    ) -> Result<(), Error> {
        self.repoint(&self.contacts_table, keys::lookup_item_key(key), from, into)
            .await?;
        let mut moved = link.clone();
        moved.insert("pk".into(), s(&keys::contact_pk(into)));
        self.client
            .put_item()
            .table_name(&self.contacts_table)
            .set_item(Some(moved))
            .send()
            .await
            .map_err(|e| Error::from_sdk("PutItem identity", e))?;
        self.client
            .delete_item()
            .table_name(&self.contacts_table)
            .set_key(Some(keys::identity_key(from, key)))
            .send()
            .await
            .map_err(|e| Error::from_sdk("DeleteItem identity", e))?;
        Ok(())
    }

    /// `SET contact_id = into` on the item at `key`, if it still names `from`: a lookup or a
    /// timeline item. One that no longer does (already moved by a retried merge, erased, or
    /// taken by someone else) is left alone.
    async fn repoint(&self, table: &str, key: Item, from: &str, into: &str) -> Result<(), Error> {
        let result = self
            .client
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
            Err(e) if shared::kit::dynamo::is_condition_failure(&e) => Ok(()),
            Err(e) => Err(Error::from_sdk("UpdateItem contact_id", e)),
        }
    }

    async fn set_merged_into(&self, contact: &str, into: Option<&str>) -> Result<(), Error> {
        let update = self
            .client
            .update_item()
            .table_name(&self.contacts_table)
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

    async fn ids_by_contact(&self, table: &str, contact: &str) -> Result<Vec<String>, Error> {
        Ok(self
            .by_contact(table, contact, crate::contacts::Page::ALL)
            .await?
            .iter()
            .filter_map(|i| i.get("id").and_then(|v| v.as_s().ok()).cloned())
            .collect())
    }

    fn timeline_table_names(&self) -> Vec<String> {
        self.timeline_tables()
            .iter()
            .map(|(_, table, _)| table.to_string())
            .collect()
    }
}

/// A timeline item's key.
fn item_key(id: &str) -> Item {
    HashMap::from([("id".to_string(), s(id))])
}

fn has_profile(items: &[Item]) -> bool {
    items.iter().any(keys::is_profile)
}
