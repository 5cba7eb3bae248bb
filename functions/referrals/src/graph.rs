//! `ConnectionsTable`: the social graph customers shared, stored minimally.
//!
//! | item | pk | sk | |
//! | --- | --- | --- | --- |
//! | an edge | `{referrer contact id}` | `{candidate key}` | `account` (the referrer's own social account key), `platform`, `handle`, `name`, `relation`, `strength`, `contact_id` when the connection is a known contact, `seen_at`, `expires_at` (TTL) |
//! | the referrer's account | `{referrer contact id}` | `account#{account key}` | `degree` (its connections), `parts` (the message parts counted, so a redelivery adds nothing) |
//!
//! A candidate key is the keyed hash of `{platform}:{platform user id}` (`shared::contracts::lookup`),
//! the same as a contact's account lookup key: the platform id itself is never stored. The
//! handle and display name are kept, because the customer is shown them; they are the
//! customer's own list, shown back only to them. The `ByCandidate` index (`candidate`,
//! `pk`) finds who else is connected to a candidate: mutual connections.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Duration, Utc};
use shared::contracts::events::{Connection, Relation};
use shared::kit::clock::stamp;
use shared::Error;

/// An edge lives this long unless the customer connects again (which renews it) or
/// disconnects (which deletes it at once).
pub const EDGE_DAYS: i64 = 180;
pub const BY_CANDIDATE_INDEX: &str = "ByCandidate";

/// The key of a platform account: the same keyed hash as a contact's account lookup.
pub fn account_key(hash_key: &[u8], platform: &str, id: &str) -> String {
    shared::contracts::lookup::lookup_key(hash_key, "account", &format!("{platform}:{id}"))
}

pub fn relation_name(relation: Relation) -> &'static str {
    match relation {
        Relation::Friend => "friend",
        Relation::Follower => "follower",
        Relation::Fan => "fan",
        Relation::Followed => "followed",
    }
}

pub fn parse_relation(name: &str) -> Option<Relation> {
    match name {
        "friend" => Some(Relation::Friend),
        "follower" => Some(Relation::Follower),
        "fan" => Some(Relation::Fan),
        "followed" => Some(Relation::Followed),
        _ => None,
    }
}

/// One stored edge, as ranking reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub candidate: String,
    pub handle: Option<String>,
    pub name: Option<String>,
    pub relation: Relation,
    pub strength: Option<f64>,
    pub contact_id: Option<String>,
}

pub struct Graph<'a> {
    pub client: &'a aws_sdk_dynamodb::Client,
    pub table: &'a str,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

impl Graph<'_> {
    /// Writes the edges of one message part (25 per BatchWriteItem), each renewed for
    /// [`EDGE_DAYS`]; `known` gives the contact a connection is, when Liaison knows.
    pub async fn put_edges(
        &self,
        referrer: &str,
        account: &str,
        platform: &str,
        edges: &[(String, &Connection, Option<String>)],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let expires = (now + Duration::days(EDGE_DAYS)).timestamp();
        let requests: Vec<WriteRequest> = edges
            .iter()
            .map(|(candidate, c, contact)| {
                let mut item = HashMap::from([
                    ("pk".to_string(), s(referrer)),
                    ("sk".to_string(), s(candidate)),
                    ("candidate".to_string(), s(candidate)),
                    ("account".to_string(), s(account)),
                    ("platform".to_string(), s(platform)),
                    ("relation".to_string(), s(relation_name(c.relation))),
                    ("seen_at".to_string(), s(stamp(now))),
                    (
                        "expires_at".to_string(),
                        AttributeValue::N(expires.to_string()),
                    ),
                ]);
                if let Some(h) = &c.handle {
                    item.insert("handle".into(), s(h));
                }
                if let Some(n) = &c.name {
                    item.insert("name".into(), s(n));
                }
                if let Some(st) = c.strength.filter(|v| v.is_finite()) {
                    item.insert("strength".into(), AttributeValue::N(format!("{st:.3}")));
                }
                if let Some(id) = contact {
                    item.insert("contact_id".into(), s(id));
                }
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(|e| Error::caused("edge put", e))?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, Error>>()?;
        for chunk in requests.chunks(25) {
            self.write_all(chunk.to_vec()).await?;
        }
        Ok(())
    }

    async fn write_all(&self, requests: Vec<WriteRequest>) -> Result<(), Error> {
        let mut pending = HashMap::from([(self.table.to_string(), requests)]);
        for attempt in 0..8u32 {
            let out = self
                .client
                .batch_write_item()
                .set_request_items(Some(pending))
                .send()
                .await
                .map_err(|e| Error::from_sdk("BatchWriteItem edges", e))?;
            pending = out.unprocessed_items.unwrap_or_default();
            pending.retain(|_, v| !v.is_empty());
            if pending.is_empty() {
                return Ok(());
            }
            // Unprocessed under load: back off, as AWS asks.
            tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
        }
        Err(Error::Transient("edges left unprocessed; retry".into()))
    }

    /// Counts a part's connections on the referrer's account once (`false` when this part
    /// was counted before).
    pub async fn count_part(
        &self,
        referrer: &str,
        account: &str,
        part: &str,
        connections: usize,
    ) -> Result<bool, Error> {
        let updated = self
            .client
            .update_item()
            .table_name(self.table)
            .key("pk", s(referrer))
            .key("sk", s(format!("account#{account}")))
            .update_expression("ADD degree :n, parts :p")
            .condition_expression("attribute_not_exists(parts) OR NOT contains(parts, :part)")
            .expression_attribute_values(":n", AttributeValue::N(connections.to_string()))
            .expression_attribute_values(":p", AttributeValue::Ss(vec![part.to_string()]))
            .expression_attribute_values(":part", s(part))
            .send()
            .await;
        shared::kit::dynamo::condition_held(updated, "UpdateItem account degree")
    }

    /// Every edge of the referrer, for ranking (paged; accounts items left out).
    pub async fn edges(&self, referrer: &str) -> Result<Vec<Edge>, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .key_condition_expression("pk = :r")
            .expression_attribute_values(":r", s(referrer));
        let items = shared::kit::pages::query_all(query, "Query edges").await?;
        Ok(items.iter().filter_map(edge_of).collect())
    }

    /// The other referrers connected to `candidate`, with their account keys.
    pub async fn referrers_of(&self, candidate: &str) -> Result<Vec<(String, String)>, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .index_name(BY_CANDIDATE_INDEX)
            .key_condition_expression("candidate = :c")
            .expression_attribute_values(":c", s(candidate));
        let items = shared::kit::pages::query_all(query, "Query referrers of a candidate").await?;
        Ok(items
            .iter()
            .filter_map(|i| {
                Some((
                    i.get("pk")?.as_s().ok()?.clone(),
                    i.get("account")?.as_s().ok()?.clone(),
                ))
            })
            .collect())
    }

    /// Whether `referrer` is connected to the account `candidate`.
    pub async fn has_edge(&self, referrer: &str, candidate: &str) -> Result<bool, Error> {
        let out = self
            .client
            .get_item()
            .table_name(self.table)
            .key("pk", s(referrer))
            .key("sk", s(candidate))
            .projection_expression("pk")
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem edge", e))?;
        Ok(out.item.is_some())
    }

    /// The degree of a referrer's account (its connections), when counted.
    pub async fn degree(&self, referrer: &str, account: &str) -> Result<Option<u32>, Error> {
        let out = self
            .client
            .get_item()
            .table_name(self.table)
            .key("pk", s(referrer))
            .key("sk", s(format!("account#{account}")))
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem account degree", e))?;
        Ok(out
            .item
            .and_then(|i| i.get("degree").and_then(|v| v.as_n().ok()).cloned())
            .and_then(|n| n.parse().ok()))
    }

    /// Forgets a disconnected account: its edges and its degree.
    pub async fn forget(&self, referrer: &str, account: &str) -> Result<usize, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .key_condition_expression("pk = :r")
            // A key attribute cannot be filtered on: the account's own item is added below.
            .filter_expression("#account = :a")
            .expression_attribute_names("#account", "account")
            .expression_attribute_values(":r", s(referrer))
            .expression_attribute_values(":a", s(account));
        let mut keys: Vec<(AttributeValue, AttributeValue)> =
            shared::kit::pages::query_all(query, "Query edges to forget")
                .await?
                .iter()
                .filter_map(|i| Some((i.get("pk")?.clone(), i.get("sk")?.clone())))
                .collect();
        keys.push((s(referrer), s(format!("account#{account}"))));
        let deletes: Vec<WriteRequest> = keys
            .into_iter()
            .filter_map(|(pk, sk)| {
                let key = HashMap::from([("pk".to_string(), pk), ("sk".to_string(), sk)]);
                aws_sdk_dynamodb::types::DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .ok()
                    .map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect();
        // The account's own item is not an edge.
        let count = deletes.len() - 1;
        for chunk in deletes.chunks(25) {
            self.write_all(chunk.to_vec()).await?;
        }
        Ok(count)
    }
}

fn edge_of(item: &HashMap<String, AttributeValue>) -> Option<Edge> {
    let text = |n: &str| item.get(n).and_then(|v| v.as_s().ok()).cloned();
    if text("sk")?.starts_with("account#") {
        return None;
    }
    Some(Edge {
        candidate: text("candidate")?,
        handle: text("handle"),
        name: text("name"),
        relation: parse_relation(&text("relation")?)?,
        strength: item
            .get("strength")
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok()),
        contact_id: text("contact_id"),
    })
}
