//! Merging two contacts that staff decided are one person, and undoing it. Never automatic
//! (identify only proposes candidates). A merge moves the other contact's identities
//! (lookups re-pointed, conditional on still naming it) and its timeline (contributions,
//! cases, opportunities) to the kept contact, and records exactly what it moved; the undo
//! moves exactly that back. The other contact's profile stays, marked `merged_into`, so the
//! undo has somewhere to return to.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Deserialize;
use serde_json::json;
use shared::contracts::contacts::merge::{self, MergeRecord};
use shared::contracts::contacts::{erasure, keys};
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
            merge::move_identity(&self.client, &self.contacts_table, item, key, &from, into)
                .await?;
            identity_keys.push(key.to_string());
        }
        for (table, id) in &to_move {
            merge::repoint(
                &self.client,
                table,
                erasure::timeline_item_key(id),
                &from,
                into,
            )
            .await?;
        }
        let now = chrono::Utc::now().to_rfc3339();
        let record = MergeRecord::new(
            &merge_id,
            &from,
            into,
            identity_keys,
            to_move,
            &caller.subject,
            &now,
        );
        merge::put_record(&self.client, &self.contacts_table, &record).await?;
        merge::set_merged_into(&self.client, &self.contacts_table, &from, Some(into)).await?;
        self.deliveries
            .merged(&merge_id, &from, into, chrono::Utc::now())
            .await?;
        tracing::info!(merge_id = %merge_id, into = %into, from = %from, "contacts merged");
        Ok(http::json(
            200,
            &json!({"merge_id": merge_id, "into": into, "from": from,
                    "identities": record.identity_keys.len(), "timeline_items": record.moved.len()}),
        ))
    }

    pub async fn undo_merge(&self, into: &str, merge_id: &str) -> Result<Response, Error> {
        let record = merge::get_record(&self.client, &self.contacts_table, into, merge_id)
            .await?
            .ok_or_else(|| Error::NotFound("no such merge".into()))?;
        let into_items = self.contact_items(into).await?;
        for key in &record.identity_keys {
            if let Some(item) = into_items
                .iter()
                .find(|i| keys::sort_key(i) == keys::identity_sk(key))
            {
                merge::move_identity(
                    &self.client,
                    &self.contacts_table,
                    item,
                    key,
                    into,
                    &record.from,
                )
                .await?;
            }
        }
        for (table, id) in &record.moved {
            merge::repoint(
                &self.client,
                table,
                erasure::timeline_item_key(id),
                into,
                &record.from,
            )
            .await?;
        }
        merge::set_merged_into(&self.client, &self.contacts_table, &record.from, None).await?;
        merge::delete_record(&self.client, &self.contacts_table, into, merge_id).await?;
        tracing::info!(merge_id = %merge_id, "merge undone");
        Ok(http::json(
            200,
            &json!({"undone": merge_id, "from": record.from, "into": into}),
        ))
    }

    async fn ids_by_contact(&self, table: &str, contact: &str) -> Result<Vec<String>, Error> {
        Ok(self
            .by_contact(table, contact, crate::contacts::Page::ALL)
            .await?
            .iter()
            .filter_map(erasure::timeline_item_name)
            .collect())
    }

    fn timeline_table_names(&self) -> Vec<String> {
        self.timeline_tables()
            .iter()
            .map(|(_, table, _)| table.to_string())
            .collect()
    }
}

fn has_profile(items: &[Item]) -> bool {
    items.iter().any(keys::is_profile)
}
