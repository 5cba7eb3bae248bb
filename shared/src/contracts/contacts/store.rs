//! `ContactsTable` (single table, `pk` + `sk`, laid out in [`super::keys`]): the people
//! behind contributions: profiles, identity links with their value, provenance and
//! confidence, lookups, merge candidates.
//!
//! A lookup key is a keyed hash (`identity::Identity::lookup_key`): no email or handle is
//! ever part of a key. A new contact and its lookups are written in one transaction, each
//! lookup conditional on not existing, so two deliveries racing on the same new email make
//! one contact: the loser's transaction fails and its message is retried, then finds the
//! winner's contact.

use std::collections::HashMap;

use crate::kit::dynamo::condition_held;
use crate::Error;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::identity::{Identity, IdentityKind, Known, Resolution};
use super::keys::{self, contact_pk};
use super::scores::{Kept, Measured};
use crate::contracts::events::Audience;

type Item = HashMap<String, AttributeValue>;

pub use crate::contracts::contacts::standing::ContactType;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub pk: String,
    pub sk: String,
    pub contact_id: String,
    #[serde(rename = "type")]
    pub contact_type: ContactType,
    pub created_at: DateTime<Utc>,
    /// The event it was created for: a redelivery of that event knows it made the contact
    /// (and tells of it) even when the creation's answer was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl Profile {
    /// A new prospect's profile, created for event `created_by`.
    fn prospect(contact_id: &str, now: DateTime<Utc>, created_by: &str) -> Self {
        Profile {
            pk: contact_pk(contact_id),
            sk: keys::PROFILE.into(),
            contact_id: contact_id.to_string(),
            contact_type: ContactType::Prospect,
            created_at: now,
            created_by: Some(created_by.to_string()),
        }
    }
}

/// What routing and rules read of a contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub contact_type: ContactType,
    /// 0 to 100 (`scores::influence`).
    pub influence: f64,
    /// 0 to 100, before the type (`scores::reach`, as kept).
    pub reach: f64,
    /// The event the contact was created for, when Liaison created it from one.
    pub created_by: Option<String>,
}

impl Standing {
    fn of(profile: &Item) -> Standing {
        Standing {
            contact_type: profile
                .get("type")
                .and_then(|v| v.as_s().ok())
                .and_then(|t| ContactType::parse(t))
                .unwrap_or(ContactType::Prospect),
            influence: number(profile, "influence").unwrap_or(0.0),
            reach: number(profile, "reach").unwrap_or(0.0),
            created_by: profile
                .get("created_by")
                .and_then(|v| v.as_s().ok())
                .cloned(),
        }
    }
}

fn number(item: &Item, name: &str) -> Option<f64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse::<f64>().ok())
}

fn time(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
}

/// The reach a profile keeps, with what it was measured from and when (`None`: no reach).
fn kept_reach(profile: &Item) -> Option<Kept> {
    let text = |name: &str| {
        profile
            .get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    Some(Kept {
        measured: Measured {
            reach: number(profile, "reach")?,
            kind: text("reach_kind"),
            basis: text("reach_basis"),
        },
        at: time(profile, "reach_at"),
    })
}

/// What a contribution adds to its author's scores.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    pub kind: crate::contracts::events::ContributionKind,
    /// What the platform said of the author's audience with this contribution.
    pub audience: &'a Audience,
    pub platform: crate::contracts::sources::Platform,
    /// Classified as praise: its author is an advocate.
    pub praise: bool,
}

/// One optimistic update of a profile's scores, from the profile as read.
struct ScoresUpdate {
    /// `SET` clauses beyond the scores' own (`advocate_since`, `ADD praises`...).
    extra: &'static str,
    contribution_score: f64,
    /// The reach to keep, when it changes.
    reach: Option<Kept>,
}

/// Where an identity link comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub event_id: String,
    pub source_id: String,
    pub platform: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityLink {
    pub pk: String,
    pub sk: String,
    pub kind: IdentityKind,
    /// The value in clear, for staff and for export; erased with the contact.
    pub value: String,
    pub verified: bool,
    /// 0 to 1: verified platform identities 1.0, typed emails less.
    pub confidence: f32,
    pub provenance: Provenance,
    pub linked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Lookup {
    pk: String,
    sk: String,
    contact_id: String,
    verified: bool,
}

#[derive(Debug, Clone)]
pub struct ContactStore {
    client: Client,
    table: String,
    hash_key: Vec<u8>,
}

fn confidence(identity: &Identity) -> f32 {
    match (identity.kind, identity.verified) {
        (_, true) => 1.0,
        (IdentityKind::Account, false) => 0.8,
        (IdentityKind::Handle, false) => 0.6,
        (IdentityKind::Email, false) => 0.5,
    }
}

fn to_item<T: Serialize>(value: &T) -> Result<Item, Error> {
    crate::kit::dynamo::encode(value, "contact item")
}

impl ContactStore {
    pub fn new(client: Client, table: impl Into<String>, hash_key: Vec<u8>) -> Self {
        Self {
            client,
            table: table.into(),
            hash_key,
        }
    }

    /// What each identity's lookup says (same order), read consistently.
    pub async fn lookup(&self, identities: &[Identity]) -> Result<Vec<Option<Known>>, Error> {
        if identities.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = identities
            .iter()
            .map(|i| i.lookup_key(&self.hash_key))
            .collect();
        let mut wanted = KeysAndAttributes::builder().consistent_read(true);
        let mut distinct = keys.clone();
        distinct.sort();
        distinct.dedup();
        for key in &distinct {
            wanted = wanted.keys(super::keys::lookup_item_key(key));
        }
        let wanted = wanted
            .build()
            .map_err(|e| Error::caused("lookup request", e))?;
        let mut found: HashMap<String, Known> = HashMap::new();
        let mut request = HashMap::from([(self.table.clone(), wanted)]);
        // BatchGetItem may leave keys unprocessed under load: ask again for those.
        for _ in 0..5 {
            let out = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| Error::from_sdk("BatchGetItem lookups", e))?;
            for item in out
                .responses
                .unwrap_or_default()
                .remove(&self.table)
                .unwrap_or_default()
            {
                let lookup: Lookup = crate::kit::dynamo::decode(item, "lookup")?;
                found.insert(
                    super::keys::lookup_key_in(&lookup.pk).to_string(),
                    Known {
                        contact_id: lookup.contact_id,
                        verified: lookup.verified,
                    },
                );
            }
            match out.unprocessed_keys.filter(|u| !u.is_empty()) {
                Some(rest) => request = rest,
                None => return Ok(keys.iter().map(|k| found.get(k).cloned()).collect()),
            }
        }
        Err(Error::Transient("lookups left unprocessed".into()))
    }

    /// Creates a prospect holding `identities`, in one transaction.
    pub async fn create(
        &self,
        identities: &[Identity],
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<String, Error> {
        let contact_id = crate::kit::ids::new_id("ct")?;
        let profile = Profile::prospect(&contact_id, now, &provenance.event_id);
        let mut writes = vec![self.put(to_item(&profile)?, "attribute_not_exists(pk)")?];
        for identity in identities {
            writes.extend(self.link_writes(&contact_id, identity, provenance, now)?);
        }
        self.transact(writes).await?;
        Ok(contact_id)
    }

    /// A prospect without identities of its own, whose id derives from `seed` under the
    /// source: the same seed always names the same prospect.
    async fn create_unidentified(
        &self,
        provenance: &Provenance,
        seed: &str,
        now: DateTime<Utc>,
    ) -> Result<String, Error> {
        let contact_id = crate::kit::ids::derived("ct", &provenance.source_id, seed);
        let profile = Profile::prospect(&contact_id, now, &provenance.event_id);
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&profile)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        // Already there: this event made it on an earlier delivery.
        condition_held(put, "PutItem prospect").map(|_| contact_id)
    }

    /// Adds identities to an existing contact.
    pub async fn link(
        &self,
        contact_id: &str,
        identities: &[&Identity],
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if identities.is_empty() {
            return Ok(());
        }
        let mut writes = Vec::new();
        for identity in identities {
            writes.extend(self.link_writes(contact_id, identity, provenance, now)?);
        }
        self.transact(writes).await
    }

    /// The contact `identities` name: found (new identities linked to it, other contacts
    /// they name recorded as merge candidates), created as a prospect when none is known,
    /// `None` when there is no identity at all.
    pub async fn resolve(
        &self,
        identities: &[Identity],
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, Error> {
        let known = self.lookup(identities).await?;
        match super::identity::resolve(identities, &known) {
            Resolution::Anonymous => Ok(None),
            Resolution::NewContact {
                hold,
                merge_candidates,
            } => {
                let held: Vec<Identity> = hold.iter().map(|&i| identities[i].clone()).collect();
                let contact_id = if held.is_empty() {
                    // Only identities that name a verified contact: "whoever typed these at
                    // this source", one prospect however often they come back (each comment,
                    // each checkout update), not one per event.
                    let mut keys: Vec<String> = identities
                        .iter()
                        .map(|i| i.lookup_key(&self.hash_key))
                        .collect();
                    keys.sort();
                    self.create_unidentified(provenance, &keys.join(","), now)
                        .await?
                } else {
                    self.create(&held, provenance, now).await?
                };
                if !merge_candidates.is_empty() {
                    self.propose_merges(&contact_id, &merge_candidates, provenance, now)
                        .await?;
                }
                Ok(Some(contact_id))
            }
            Resolution::Existing {
                contact_id,
                link,
                merge_candidates,
            } => {
                let new: Vec<&Identity> = link.iter().map(|&i| &identities[i]).collect();
                self.link(&contact_id, &new, provenance, now).await?;
                if !merge_candidates.is_empty() {
                    self.propose_merges(&contact_id, &merge_candidates, provenance, now)
                        .await?;
                }
                // A platform now vouches for an identity that was only typed so far.
                for (identity, found) in identities.iter().zip(&known) {
                    let upgrade = identity.verified
                        && found
                            .as_ref()
                            .is_some_and(|k| !k.verified && k.contact_id == contact_id);
                    if upgrade {
                        self.verify(&contact_id, identity, &provenance.platform)
                            .await?;
                    }
                }
                Ok(Some(contact_id))
            }
        }
    }

    /// Marks `identity` of `contact_id` verified (its lookup and its link), `by` saying how.
    /// Nothing happens when the identity no longer belongs to the contact.
    pub async fn verify(
        &self,
        contact_id: &str,
        identity: &Identity,
        by: &str,
    ) -> Result<(), Error> {
        let key = identity.lookup_key(&self.hash_key);
        // `false`: the identity moved or the contact went meanwhile; nothing to verify.
        super::verification::confirm(&self.client, &self.table, contact_id, &key, by).await?;
        Ok(())
    }

    fn update_profile(
        &self,
        contact_id: &str,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::profile_key(contact_id)))
    }

    /// A shop vouches for this person: a prospect or visitor becomes a customer (a type
    /// staff set otherwise, journalist or partner, is kept).
    pub async fn become_customer(&self, contact_id: &str, now: DateTime<Utc>) -> Result<(), Error> {
        let update = self
            .update_profile(contact_id)
            .update_expression(
                "SET #type = :customer, customer_since = if_not_exists(customer_since, :now)",
            )
            .condition_expression(
                "attribute_exists(pk) AND #type IN (:prospect, :visitor, :customer)",
            )
            .expression_attribute_names("#type", "type")
            .expression_attribute_values(":customer", AttributeValue::S("customer".into()))
            .expression_attribute_values(":prospect", AttributeValue::S("prospect".into()))
            .expression_attribute_values(":visitor", AttributeValue::S("visitor".into()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()));
        // A type staff chose (journalist, partner) is kept: the condition says so.
        condition_held(update.send().await, "UpdateItem customer").map(|_| ())
    }

    /// The marketing consent a shop recorded, with where and when; a later statement
    /// replaces an earlier one, an older one is ignored.
    pub async fn set_consent(
        &self,
        contact_id: &str,
        accepts_marketing: bool,
        source_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let consent = HashMap::from([
            (
                "marketing".to_string(),
                AttributeValue::Bool(accepts_marketing),
            ),
            (
                "source_id".to_string(),
                AttributeValue::S(source_id.to_string()),
            ),
            ("at".to_string(), AttributeValue::S(at.to_rfc3339())),
        ]);
        let update = self
            .update_profile(contact_id)
            .update_expression("SET consent = :consent")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(consent) OR consent.#at <= :at)",
            )
            .expression_attribute_names("#at", "at")
            .expression_attribute_values(":consent", AttributeValue::M(consent))
            .expression_attribute_values(":at", AttributeValue::S(at.to_rfc3339()));
        // An older statement than the one kept changes nothing: the condition says so.
        condition_held(update.send().await, "UpdateItem consent").map(|_| ())
    }

    /// Records that `contact_id` may be the same person as each of `others`.
    pub async fn propose_merges(
        &self,
        contact_id: &str,
        others: &[String],
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        for other in others {
            let item = HashMap::from([
                ("pk".to_string(), AttributeValue::S(contact_pk(contact_id))),
                (
                    "sk".to_string(),
                    AttributeValue::S(keys::merge_candidate_sk(other)),
                ),
                (
                    "other_contact_id".to_string(),
                    AttributeValue::S(other.clone()),
                ),
                (
                    "event_id".to_string(),
                    AttributeValue::S(provenance.event_id.clone()),
                ),
                (
                    "created_at".to_string(),
                    AttributeValue::S(now.to_rfc3339()),
                ),
            ]);
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .send()
                .await
                .map_err(|e| Error::from_sdk("PutItem merge candidate", e))?;
        }
        Ok(())
    }

    fn get_profile(
        &self,
        contact_id: &str,
    ) -> aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder {
        self.client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::profile_key(contact_id)))
    }

    /// The contact's type, influence and reach as its profile says now (`None`: no profile).
    pub async fn standing(&self, contact_id: &str) -> Result<Option<Standing>, Error> {
        let out = self
            .get_profile(contact_id)
            .projection_expression("#type, influence, reach, created_by")
            .expression_attribute_names("#type", "type")
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem profile", e))?;
        Ok(out.item.as_ref().map(Standing::of))
    }

    /// Adds a contribution to the contact's scores: the decayed contribution score plus the
    /// kind's weight, and the reach this contribution's audience facts give, kept as
    /// `scores::keep` says (with its date and basis). Praise makes them an advocate
    /// (`advocate_since`, the first; `praises`, how many), which referrals rank first and the
    /// contacts list can filter on. The influence is recomputed from both.
    pub async fn add_to_scores(
        &self,
        contact_id: &str,
        contribution: Scored<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let Scored {
            kind,
            audience,
            platform,
            praise,
        } = contribution;
        let measured = super::scores::reach(audience, platform);
        self.update_scores(contact_id, now, |profile| {
            let since = time(profile, "score_updated_at");
            let previous = number(profile, "contribution_score").unwrap_or(0.0);
            Some(ScoresUpdate {
                extra: if praise {
                    ", advocate_since = if_not_exists(advocate_since, :now) ADD praises :one"
                } else {
                    ""
                },
                contribution_score: super::scores::contribution_score(previous, since, kind, now),
                reach: measured
                    .clone()
                    .and_then(|m| super::scores::keep(kept_reach(profile).as_ref(), m, now)),
            })
        })
        .await
        .map(|_| ())
    }

    /// Keeps a measure of the contact's audience taken apart from any contribution (a
    /// forum's user API), as `scores::keep` says, and recomputes the influence with it.
    /// `true` when the profile changed.
    pub async fn measure_reach(
        &self,
        contact_id: &str,
        audience: &Audience,
        platform: crate::contracts::sources::Platform,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let Some(measured) = super::scores::reach(audience, platform) else {
            return Ok(false);
        };
        self.update_scores(contact_id, now, |profile| {
            let kept = super::scores::keep(kept_reach(profile).as_ref(), measured.clone(), now)?;
            let since = time(profile, "score_updated_at");
            let previous = number(profile, "contribution_score").unwrap_or(0.0);
            Some(ScoresUpdate {
                extra: "",
                // Decayed to now, since `score_updated_at` moves to now: the same score.
                contribution_score: super::scores::decayed(previous, since, now),
                reach: Some(kept),
            })
        })
        .await
    }

    /// Reads the profile, asks `change` what to write, and writes it with the influence
    /// recomputed, conditional on the profile's `score_updated_at` as read (every writer of
    /// the scores moves it); retried on a race. `false`: no profile, or nothing to change.
    async fn update_scores(
        &self,
        contact_id: &str,
        now: DateTime<Utc>,
        change: impl Fn(&Item) -> Option<ScoresUpdate>,
    ) -> Result<bool, Error> {
        for _ in 0..3 {
            let out = self
                .get_profile(contact_id)
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| Error::from_sdk("GetItem profile", e))?;
            let Some(item) = out.item else {
                return Ok(false);
            };
            let Some(update) = change(&item) else {
                return Ok(false);
            };
            let contact_type = Standing::of(&item).contact_type;
            let score = update.contribution_score;
            let reach = update.reach.as_ref().map_or_else(
                || number(&item, "reach").unwrap_or(0.0),
                |k| k.measured.reach,
            );
            let influence = super::scores::influence(reach, contact_type, score);
            let mut expression = String::from(
                "SET contribution_score = :score, influence = :influence, score_updated_at = :now",
            );
            if update.reach.is_some() {
                expression.push_str(
                    ", reach = :reach, reach_kind = :kind, reach_basis = :basis, reach_at = :now",
                );
            }
            expression.push_str(update.extra);
            let mut request = self
                .update_profile(contact_id)
                .update_expression(expression)
                .expression_attribute_values(":score", AttributeValue::N(format!("{score:.4}")))
                .expression_attribute_values(
                    ":influence",
                    AttributeValue::N(format!("{influence:.2}")),
                )
                .expression_attribute_values(":now", AttributeValue::S(now.to_rfc3339()));
            if let Some(kept) = &update.reach {
                let m = &kept.measured;
                request = request
                    .expression_attribute_values(
                        ":reach",
                        AttributeValue::N(format!("{:.2}", m.reach)),
                    )
                    .expression_attribute_values(":kind", AttributeValue::S(m.kind.clone()))
                    .expression_attribute_values(":basis", AttributeValue::S(m.basis.clone()));
            }
            if update.extra.contains(":one") {
                request =
                    request.expression_attribute_values(":one", AttributeValue::N("1".into()));
            }
            request = match item.get("score_updated_at") {
                Some(read) => request
                    .condition_expression("score_updated_at = :read")
                    .expression_attribute_values(":read", read.clone()),
                None => request.condition_expression(
                    "attribute_exists(pk) AND attribute_not_exists(score_updated_at)",
                ),
            };
            match request.send().await {
                Ok(_) => return Ok(true),
                Err(e) if crate::kit::dynamo::is_condition_failure(&e) => continue,
                Err(e) => return Err(Error::from_sdk("UpdateItem scores", e)),
            }
        }
        Err(Error::Transient(
            "scores updated concurrently; retry".into(),
        ))
    }

    fn link_writes(
        &self,
        contact_id: &str,
        identity: &Identity,
        provenance: &Provenance,
        now: DateTime<Utc>,
    ) -> Result<Vec<TransactWriteItem>, Error> {
        let key = identity.lookup_key(&self.hash_key);
        let lookup = Lookup {
            pk: keys::lookup_pk(&key),
            sk: keys::LOOKUP_SK.into(),
            contact_id: contact_id.to_string(),
            verified: identity.verified,
        };
        let link = IdentityLink {
            pk: contact_pk(contact_id),
            sk: keys::identity_sk(&key),
            kind: identity.kind,
            value: identity.value.clone(),
            verified: identity.verified,
            confidence: confidence(identity),
            provenance: provenance.clone(),
            linked_at: now,
        };
        Ok(vec![
            self.put(to_item(&lookup)?, "attribute_not_exists(pk)")?,
            self.put(to_item(&link)?, "attribute_not_exists(pk)")?,
        ])
    }

    fn put(&self, item: Item, condition: &str) -> Result<TransactWriteItem, Error> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    async fn transact(&self, writes: Vec<TransactWriteItem>) -> Result<(), Error> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .map_err(|e| {
                let service = e.as_service_error();
                let cancelled = service.is_some_and(|s| s.is_transaction_canceled_exception());
                if cancelled {
                    // Another delivery linked one of these identities first: retry, and
                    // the next attempt resolves to what it wrote.
                    Error::Transient("identity linked concurrently; retry".into())
                } else {
                    Error::from_sdk("TransactWriteItems contact", e)
                }
            })?;
        Ok(())
    }
}
