//! `GET /admin/audiences/abandoned?campaign={id}[&format=csv]`: the people with an open
//! abandoned cart in a campaign, as the normalised SHA-256 email hashes that Google Customer
//! Match and Meta Custom Audiences take (lower case, trimmed, SHA-256 in hex), to show them
//! ads as well as emails.
//!
//! Only consenting, reachable people: a contact whose profile records marketing consent
//! (`consent.marketing = true`) and no unsubscription (`unsubscribed_at`), at an address not on
//! the suppression list. Everything is read now (consistent reads), so an unsubscription or a
//! suppression removes a person from the next export at once. The carts come from one Query of
//! `CartsTable`'s `ByCampaign` index (paged), the profiles and suppressions from
//! `BatchGetItem`s of 100 keys, never one GetItem a person and never a Scan.
//!
//! The index does not project a cart's own `accepts_marketing`, so a contact whose profile
//! has no consent recorded is left out (the cautious reading).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use aws_sdk_dynamodb::Client;
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::contracts::contacts::keys;
use shared::contracts::lookup;
use shared::kit::dynamo;
use shared::kit::http::{self, Request, Response};
use shared::relaunch::campaigns::store::CampaignStore;
use shared::Error;

type Item = HashMap<String, AttributeValue>;

pub const BY_CAMPAIGN_INDEX: &str = "ByCampaign";
/// BatchGetItem's limit of keys per call.
const BATCH_GET_MAX: usize = 100;
/// Calls for the keys DynamoDB leaves unprocessed (throttling) before giving up with a 503.
const BATCH_GET_ATTEMPTS: u32 = 6;

pub struct Audiences {
    pub client: Client,
    pub carts_table: String,
    pub contacts_table: String,
    pub suppression_table: String,
    pub hash_key: Vec<u8>,
    pub campaigns: CampaignStore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

impl Audiences {
    pub async fn abandoned(&self, req: &Request) -> Result<Response, Error> {
        let campaign_id = http::query_param(req, "campaign")
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::validation("campaign", "required: a campaign id"))?;
        let format = match http::query_param(req, "format").unwrap_or("json") {
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => return Err(Error::validation("format", "json or csv")),
        };
        let (campaign, carts) = tokio::try_join!(
            self.campaigns.get(campaign_id),
            self.open_carts(campaign_id)
        )?;
        if campaign.is_none() {
            return Err(Error::NotFound("no such campaign".into()));
        }
        let candidates = candidates(&carts);
        let contacts: BTreeSet<&str> = candidates.values().flatten().map(String::as_str).collect();
        let reachable = self.reachable_contacts(&contacts).await?;
        let emails: Vec<&str> = candidates
            .iter()
            .filter(|(_, ids)| ids.iter().all(|id| reachable.contains(id.as_str())))
            .map(|(email, _)| email.as_str())
            .collect();
        let suppressed = self.suppressed(&emails).await?;
        let mut hashes: Vec<String> = emails
            .iter()
            .filter(|email| !suppressed.contains(**email))
            .map(|email| email_hash(email))
            .collect();
        hashes.sort();
        hashes.dedup();
        tracing::info!(
            campaign_id = %campaign_id,
            carts = carts.len(),
            candidates = candidates.len(),
            exported = hashes.len(),
            "abandoned-cart audience exported"
        );
        Ok(match format {
            Format::Json => http::json(
                200,
                &json!({
                    "campaign_id": campaign_id,
                    "format": "sha256_email",
                    "count": hashes.len(),
                    "hashes": hashes,
                }),
            ),
            Format::Csv => http::text(200, "text/csv; charset=utf-8", csv(&hashes)),
        })
    }

    /// The campaign's open carts with an email and a contact (every page of the index).
    async fn open_carts(&self, campaign_id: &str) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.carts_table)
            .index_name(BY_CAMPAIGN_INDEX)
            .key_condition_expression("campaign_id = :c")
            .filter_expression(
                "#status = :open AND attribute_exists(email) AND attribute_exists(contact_id)",
            )
            .projection_expression("#status, email, contact_id")
            .expression_attribute_names("#status", "cart_status")
            .expression_attribute_values(":c", AttributeValue::S(campaign_id.to_string()))
            .expression_attribute_values(":open", AttributeValue::S("open".into()));
        shared::kit::pages::query_all(query, "Query carts by campaign").await
    }

    /// Of `ids`, the contacts whose profile allows marketing now.
    async fn reachable_contacts(&self, ids: &BTreeSet<&str>) -> Result<HashSet<String>, Error> {
        let keys = ids.iter().map(|id| keys::profile_key(id)).collect();
        let profiles = self
            .batch_get(
                &self.contacts_table,
                keys,
                "#pk, #consent, #unsubscribed",
                &[
                    ("#pk", "pk"),
                    ("#consent", "consent"),
                    ("#unsubscribed", "unsubscribed_at"),
                ],
            )
            .await?;
        Ok(profiles
            .iter()
            .filter(|profile| may_market(profile))
            .filter_map(|profile| keys::contact_id_of(dynamo::text(profile, "pk")?))
            .map(str::to_string)
            .collect())
    }

    /// Of `emails`, those on the suppression list (by their keyed lookup hash).
    async fn suppressed<'a>(&self, emails: &[&'a str]) -> Result<HashSet<&'a str>, Error> {
        let by_key: HashMap<String, &str> = emails
            .iter()
            .map(|email| (lookup::lookup_key(&self.hash_key, "email", email), *email))
            .collect();
        let keys = by_key
            .keys()
            .map(|key| HashMap::from([("email_key".to_string(), AttributeValue::S(key.clone()))]))
            .collect();
        let found = self
            .batch_get(
                &self.suppression_table,
                keys,
                "#key",
                &[("#key", "email_key")],
            )
            .await?;
        Ok(found
            .iter()
            .filter_map(|item| by_key.get(item.get("email_key")?.as_s().ok()?).copied())
            .collect())
    }

    /// Every item of `keys` that exists, 100 keys a call, consistent; the keys DynamoDB
    /// leaves unprocessed are asked again after a growing pause.
    async fn batch_get(
        &self,
        table: &str,
        keys: Vec<Item>,
        projection: &str,
        names: &[(&str, &str)],
    ) -> Result<Vec<Item>, Error> {
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .projection_expression(projection)
                .set_expression_attribute_names(Some(
                    names
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ))
                .consistent_read(true)
                .build()
                .map_err(|e| Error::caused("BatchGetItem request", e))?;
            let mut attempt = 0;
            loop {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(table, request)
                    .send()
                    .await
                    .map_err(|e| Error::from_sdk("BatchGetItem", e))?;
                found.extend(
                    out.responses
                        .and_then(|mut r| r.remove(table))
                        .unwrap_or_default(),
                );
                let Some(left) = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(table))
                    .filter(|k| !k.keys().is_empty())
                else {
                    break;
                };
                attempt += 1;
                if attempt >= BATCH_GET_ATTEMPTS {
                    return Err(Error::Transient(
                        "BatchGetItem left keys unprocessed".into(),
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                request = left;
            }
        }
        Ok(found)
    }
}

/// Each normalised email of an open cart, with the contacts its carts name.
pub fn candidates(carts: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for cart in carts {
        let text = |name: &str| {
            cart.get(name)
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
        };
        if text("cart_status") != Some("open") {
            continue;
        }
        let (Some(email), Some(contact)) = (
            text("email").and_then(lookup::normalise_email),
            text("contact_id").filter(|c| !c.is_empty()),
        ) else {
            continue;
        };
        out.entry(email).or_default().insert(contact.to_string());
    }
    out
}

/// Whether a contact's profile allows marketing: consent recorded, and no unsubscription.
pub fn may_market(profile: &Item) -> bool {
    let consent = profile
        .get("consent")
        .and_then(|v| v.as_m().ok())
        .and_then(|m| m.get("marketing"))
        .and_then(|v| v.as_bool().ok())
        .copied();
    consent == Some(true) && !profile.contains_key("unsubscribed_at")
}

/// SHA-256 of the normalised (trimmed, lower-case) email, in lower-case hex.
pub fn email_hash(email: &str) -> String {
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

/// One column, `email_sha256`, a hash a line.
pub fn csv(hashes: &[String]) -> String {
    let mut out = String::from("email_sha256\n");
    for hash in hashes {
        out.push_str(hash);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cart(status: &str, email: Option<&str>, contact: Option<&str>) -> Item {
        let mut item =
            HashMap::from([("cart_status".to_string(), AttributeValue::S(status.into()))]);
        if let Some(email) = email {
            item.insert("email".into(), AttributeValue::S(email.into()));
        }
        if let Some(contact) = contact {
            item.insert("contact_id".into(), AttributeValue::S(contact.into()));
        }
        item
    }

    #[test]
    fn only_open_carts_with_an_email_and_a_contact_should_be_candidates_once_per_email() {
        let found = candidates(&[
            cart("open", Some(" Ada@Example.com "), Some("ctc_1")),
            cart("open", Some("ada@example.com"), Some("ctc_1")),
            cart("open", Some("bob@example.com"), Some("ctc_2")),
            cart("open", Some("bob@example.com"), Some("ctc_3")),
            cart("converted", Some("cy@example.com"), Some("ctc_4")),
            cart("emptied", Some("di@example.com"), Some("ctc_5")),
            cart("open", None, Some("ctc_6")),
            cart("open", Some("eve@example.com"), None),
            cart("open", Some("not an email"), Some("ctc_7")),
        ]);
        let emails: Vec<&str> = found.keys().map(String::as_str).collect();
        assert_eq!(emails, ["ada@example.com", "bob@example.com"]);
        assert_eq!(found["ada@example.com"].len(), 1);
        assert_eq!(found["bob@example.com"].len(), 2);
    }

    #[test]
    fn only_a_recorded_consent_without_unsubscription_should_allow_marketing() {
        let profile = |consent: Option<bool>, unsubscribed: bool| {
            let mut item = Item::new();
            if let Some(c) = consent {
                item.insert(
                    "consent".into(),
                    AttributeValue::M(HashMap::from([(
                        "marketing".to_string(),
                        AttributeValue::Bool(c),
                    )])),
                );
            }
            if unsubscribed {
                item.insert(
                    "unsubscribed_at".into(),
                    AttributeValue::S("2026-01-01T00:00:00Z".into()),
                );
            }
            item
        };
        assert!(may_market(&profile(Some(true), false)));
        assert!(!may_market(&profile(Some(true), true)));
        assert!(!may_market(&profile(Some(false), false)));
        assert!(!may_market(&profile(None, false)));
    }

    #[test]
    fn hashes_should_be_the_sha256_of_the_normalised_email() {
        // printf 'test@example.com' | sha256sum
        let expected = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
        assert_eq!(email_hash("test@example.com"), expected);
        assert_eq!(email_hash("  Test@Example.COM "), expected);
        assert_eq!(
            csv(&[expected.to_string()]),
            format!("email_sha256\n{expected}\n")
        );
    }
}
