//! `/admin/contacts`: find a person by email, handle or account; see them whole (identities,
//! type and the type identify proposes (confirmed or dismissed here), scores, merge candidates, and the timeline of contributions, cases, opportunities,
//! questions, emails and carts, newest first); export everything held about them; erase
//! them everywhere.
//!
//! Erasure deletes the contact's items, its lookups (only those still naming it), its
//! contributions, cases, opportunities and questions (found through the `ByContact`
//! indexes), and puts each of its email lookup keys on the suppression list, a keyed hash,
//! so they are never written to again; their keys leave the brand's tester list. What already left for others (a helpdesk's ticket,
//! an email sent) is told through `contact.erased`, for each endpoint to erase too.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde_json::{json, Value};
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::contacts::{erasure, keys, profile, proposals};
use shared::contracts::lookup;
use shared::kit::http::{self, Request, Response};
use shared::Error;

type Item = HashMap<String, AttributeValue>;

pub struct Contacts {
    pub client: Client,
    pub contacts_table: String,
    pub contributions_table: String,
    pub cases_table: String,
    pub opportunities_table: String,
    pub questions_table: String,
    pub emails_table: String,
    pub carts_table: String,
    /// "Call me back" requests: on the timeline, exported, merged and erased with the person.
    pub callbacks_table: String,
    /// What the brand said to the person (answers, order news): the same.
    pub answers_table: String,
    pub suppression_table: String,
    /// The brand's programmes: an erased tester leaves the tester list too.
    pub settings_table: String,
    /// What referrals hold about the contact.
    pub referrals: shared::contracts::referrals::erasure::ReferralData,
    pub hash_key: Vec<u8>,
    /// What the brand's endpoints are told (merges, erasures) and what was kept to tell them.
    pub deliveries: crate::endpoints::Deliveries,
    pub clock: shared::kit::clock::Clock,
}

pub const BY_CONTACT_INDEX: &str = "ByContact";
const TIMELINE_PAGE: i32 = 20;

use crate::listing::to_json;

/// Timeline items of one kind an export response carries at most.
pub const EXPORT_PAGE: i32 = 500;

/// Timeline items one erasure request deletes at most (about a second of DeleteItem calls);
/// the rest in the next call.
pub const ERASE_BATCH: usize = 500;

impl Contacts {
    /// `?email=` or `?platform=&handle=` or `?platform=&account=`.
    pub async fn find(&self, req: &Request) -> Result<Response, Error> {
        let q = |name| http::query_param(req, name);
        let key = match (q("email"), q("platform"), q("handle"), q("account")) {
            (Some(email), _, _, _) => {
                let email = lookup::normalise_email(email)
                    .ok_or_else(|| Error::validation("email", "not an email address"))?;
                lookup::lookup_key(&self.hash_key, "email", &email)
            }
            (None, Some(platform), Some(handle), _) => {
                let value = lookup::normalise_handle(platform, handle)
                    .ok_or_else(|| Error::validation("handle", "empty"))?;
                lookup::lookup_key(&self.hash_key, "handle", &value)
            }
            (None, Some(platform), None, Some(account)) => lookup::lookup_key(
                &self.hash_key,
                "account",
                &format!("{platform}:{}", account.trim()),
            ),
            _ => {
                return Err(Error::validation(
                    "email",
                    "give email, or platform with handle or account",
                ))
            }
        };
        let out = self
            .client
            .get_item()
            .table_name(&self.contacts_table)
            .set_key(Some(keys::lookup_item_key(&key)))
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem lookup", e))?;
        let contact_id = out
            .item
            .and_then(|i| i.get("contact_id").and_then(|v| v.as_s().ok()).cloned())
            .ok_or_else(|| Error::NotFound("no contact with this identity".into()))?;
        Ok(http::json(200, &self.person(&contact_id).await?))
    }

    /// The contact and a page of its timeline, newest first: `?before=` the `next` of the
    /// previous page.
    pub async fn show(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let before = http::query_param(req, "before");
        if let Some(before) = before {
            chrono::DateTime::parse_from_rfc3339(before)
                .map_err(|_| Error::validation("before", "not an RFC 3339 time"))?;
        }
        let mut person = self.person(id).await?;
        let mut timeline = Vec::new();
        for (kind, table, order) in self.timeline_tables() {
            let page = Page {
                limit: Some(TIMELINE_PAGE),
                before: before.map(|b| (order, b)),
            };
            for item in self.by_contact(table, id, page).await? {
                let mut entry = to_json(item)?;
                entry["timeline_kind"] = json!(kind);
                entry["timeline_at"] = entry[order].clone();
                timeline.push(entry);
            }
        }
        timeline.sort_by(|a, b| b["timeline_at"].as_str().cmp(&a["timeline_at"].as_str()));
        let more = timeline.len() > TIMELINE_PAGE as usize;
        timeline.truncate(TIMELINE_PAGE as usize);
        // Each table gave its newest page, so everything older than the last entry kept is
        // on later pages.
        let next = if more {
            timeline.last().map(|e| e["timeline_at"].clone())
        } else {
            None
        };
        person["timeline"] = Value::Array(timeline);
        person["next"] = next.unwrap_or(Value::Null);
        Ok(http::json(200, &person))
    }

    /// `{"type": "journalist"}`: what the contact is to the brand, set by staff; their
    /// influence is recomputed with it in the same request, and a type identify proposed is
    /// settled (confirmed when it is this one).
    pub async fn set_type(
        &self,
        req: &Request,
        id: &str,
        caller: &shared::kit::auth::Caller,
    ) -> Result<Response, Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Change {
            #[serde(rename = "type")]
            contact_type: String,
        }
        let change: Change = http::json_body(req)?;
        let contact_type = ContactType::parse(&change.contact_type).ok_or_else(|| {
            let names: Vec<&str> = ContactType::ALL.iter().map(|t| t.as_str()).collect();
            Error::validation("type", format!("one of {}", names.join(", ")))
        })?;
        let now = self.clock.now();
        let table = &self.contacts_table;
        let by = &caller.subject;
        let Some(influence) =
            profile::set_type(&self.client, table, id, contact_type, by, now).await?
        else {
            return Err(Error::NotFound("no such contact".into()));
        };
        tracing::info!(
            contact_id = %id,
            contact_type = contact_type.as_str(),
            influence,
            "contact type set, influence recomputed"
        );
        Ok(http::json(200, &self.person(id).await?))
    }

    /// Dismisses the type identify proposed (`profile.proposed_type`): it goes, and is not
    /// proposed again for this person. To confirm it instead, `PATCH` it as their type.
    pub async fn dismiss_proposed_type(&self, id: &str) -> Result<Response, Error> {
        let Some(dismissed) = proposals::dismiss(&self.client, &self.contacts_table, id).await?
        else {
            return Err(Error::NotFound("no type proposed for this contact".into()));
        };
        tracing::info!(
            contact_id = %id,
            dismissed_type = dismissed.as_str(),
            "proposed contact type dismissed"
        );
        Ok(http::json(200, &self.person(id).await?))
    }

    /// Everything held about the person, as JSON: the profile and identities, and each kind
    /// of timeline item, EXPORT_PAGE at a time. A kind with more carries a cursor in
    /// `more.{kind}`; `?kind={kind}&after={cursor}` gives its next part, until `more` is empty.
    /// A response stays far below Lambda's 6 MB whatever the person's history.
    pub async fn export(&self, req: &Request, id: &str) -> Result<Response, Error> {
        let wanted = http::query_param(req, "kind");
        let after = http::query_param(req, "after");
        let tables = self.timeline_tables();
        if let Some(kind) = wanted {
            if !tables.iter().any(|(k, _, _)| *k == kind) {
                return Err(Error::validation("kind", "not a kind of timeline item"));
            }
        }
        let mut person = match wanted {
            None => self.person(id).await?,
            Some(_) => json!({"id": id}),
        };
        let mut more = serde_json::Map::new();
        for (kind, table, order) in tables {
            if wanted.is_some_and(|k| k != kind) {
                continue;
            }
            let start = after
                .map(|cursor| {
                    shared::kit::pages::decode_cursor(cursor, &["id", "contact_id", order])
                })
                .transpose()?;
            let out = self
                .client
                .query()
                .table_name(table)
                .index_name(BY_CONTACT_INDEX)
                .key_condition_expression("contact_id = :c")
                .expression_attribute_values(":c", AttributeValue::S(id.to_string()))
                .limit(EXPORT_PAGE)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query export", e))?;
            let items = out
                .items
                .unwrap_or_default()
                .into_iter()
                .map(to_json)
                .collect::<Result<Vec<_>, _>>()?;
            person[kind] = Value::Array(items);
            if let Some(key) = out.last_evaluated_key {
                more.insert(
                    kind.to_string(),
                    Value::String(shared::kit::pages::encode_cursor(&key)),
                );
            }
        }
        if wanted.is_none() {
            // What was told about them to the brand's systems and people (docs/webhooks.md).
            person["sent"] = Value::Array(self.deliveries.sent_about(id).await?);
        }
        person["more"] = Value::Object(more);
        Ok(http::json(200, &person))
    }

    pub async fn erase(&self, id: &str) -> Result<Response, Error> {
        let items = self.contact_items(id).await?;
        if items.is_empty() {
            return Err(Error::NotFound("no such contact".into()));
        }
        let erased_at = chrono::Utc::now();
        for item in &items {
            let sk = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            if let Some(key) = keys::lookup_key_of(&sk) {
                // Only a lookup that still names this contact.
                erasure::delete_lookup(&self.client, &self.contacts_table, key, id).await?;
                if keys::is_email_key(key) {
                    // Already there (a bounce, an unsubscribe): it stays suppressed as it was.
                    shared::contracts::suppression::add(
                        &self.client,
                        &self.suppression_table,
                        key,
                        "erased",
                        erased_at,
                    )
                    .await?;
                }
            }
        }
        // Timeline items, at most ERASE_BATCH a request: a person with a long history is
        // erased over several calls (202 until the last, 204), each resuming where the last
        // stopped, since the contact's own items go last.
        let mut deleted = 0;
        for (_, table, _) in self.timeline_tables() {
            for item in self.by_contact(table, id, Page::ALL).await? {
                if deleted == ERASE_BATCH {
                    tracing::info!(contact_id = %id, deleted, "erasure continues in the next call");
                    return Ok(http::json(
                        202,
                        &json!({"complete": false, "deleted": deleted,
                                "message": "more remains: call DELETE again to continue"}),
                    ));
                }
                if erasure::delete_timeline_item(&self.client, table, &item).await? {
                    deleted += 1;
                }
            }
        }
        self.referrals.erase(id).await?;
        // A tester's keyed hashes, off the brand's tester list.
        let lookup_keys: Vec<String> = items
            .iter()
            .filter_map(|item| keys::lookup_key_of(keys::sort_key(item)).map(str::to_string))
            .collect();
        shared::contracts::programmes::forget_testers(
            &self.client,
            &self.settings_table,
            &lookup_keys,
        )
        .await?;
        // What was kept to tell the brand's endpoints, then the notice that tells them to
        // erase too (ids only; the deliveries function forgets again what was still queued).
        self.deliveries.forget_contact(id, erased_at).await?;
        // The contact's own items last: a retry after a failure still finds its identities.
        erasure::delete_items(&self.client, &self.contacts_table, &items).await?;
        tracing::info!(contact_id = %id, "contact erased");
        Ok(http::empty(204))
    }

    pub(crate) fn timeline_tables(&self) -> [(&'static str, &str, &'static str); 8] {
        [
            (
                "contributions",
                self.contributions_table.as_str(),
                "received_at",
            ),
            ("cases", self.cases_table.as_str(), "opened_at"),
            (
                "opportunities",
                self.opportunities_table.as_str(),
                "opened_at",
            ),
            ("questions", self.questions_table.as_str(), "opened_at"),
            ("emails", self.emails_table.as_str(), "sent_at"),
            ("carts", self.carts_table.as_str(), "last_activity"),
            ("callbacks", self.callbacks_table.as_str(), "created_at"),
            ("answers", self.answers_table.as_str(), "created_at"),
        ]
    }

    pub(crate) async fn contact_items(&self, id: &str) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.contacts_table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", keys::contact_partition(id))
            .consistent_read(true);
        shared::kit::pages::query_all(query, "Query contact").await
    }

    /// The profile, identities and merge candidates.
    async fn person(&self, id: &str) -> Result<Value, Error> {
        let items = self.contact_items(id).await?;
        let mut person = json!({"id": id, "identities": [], "merge_candidates": []});
        let mut found = false;
        for item in items {
            let sk = item
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            let mut value = to_json(item)?;
            if let Some(map) = value.as_object_mut() {
                map.remove("pk");
                map.remove("sk");
            }
            if sk == keys::PROFILE {
                found = true;
                person["profile"] = value;
            } else if keys::lookup_key_of(&sk).is_some() {
                if let Some(list) = person["identities"].as_array_mut() {
                    list.push(value);
                }
            } else if keys::is_merge_candidate(&sk) {
                if let Some(list) = person["merge_candidates"].as_array_mut() {
                    list.push(value);
                }
            }
        }
        if !found {
            return Err(Error::NotFound("no such contact".into()));
        }
        Ok(person)
    }

    pub(crate) async fn by_contact(
        &self,
        table: &str,
        id: &str,
        page: Page<'_>,
    ) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(table)
            .index_name(BY_CONTACT_INDEX)
            .expression_attribute_values(":c", AttributeValue::S(id.to_string()))
            .scan_index_forward(false);
        let query = match page.before {
            Some((order, before)) => query
                .key_condition_expression("contact_id = :c AND #at < :before")
                .expression_attribute_names("#at", order)
                .expression_attribute_values(":before", AttributeValue::S(before.into())),
            None => query.key_condition_expression("contact_id = :c"),
        };
        match page.limit {
            // One more than a page: whether there is a next page.
            Some(limit) => Ok(query
                .limit(limit + 1)
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query by contact", e))?
                .items
                .unwrap_or_default()),
            None => shared::kit::pages::query_all(query, "Query by contact").await,
        }
    }
}

/// Which part of a contact's items in a timeline table to read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page<'a> {
    /// `None`: every item.
    pub limit: Option<i32>,
    /// The sort attribute and the time before which to read.
    pub before: Option<(&'a str, &'a str)>,
}

impl Page<'_> {
    pub const ALL: Page<'static> = Page {
        limit: None,
        before: None,
    };
}
