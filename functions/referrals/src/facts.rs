//! What the brand knows of a candidate who is a contact, for ranking: their type,
//! whether they may be written to, their public contributions and purchase intents, an
//! open cart, their influence. Read only for candidates who are contacts (few, against
//! the hundreds of connections a customer has).

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use shared::contracts::contacts::keys;
use shared::contracts::contacts::standing::ContactType;
use shared::contracts::suppression;
use shared::Error;

use crate::rank::Known;

/// How recent an open cart must be to count.
const OPEN_CART_DAYS: i64 = 14;

pub struct Facts<'a> {
    pub client: &'a aws_sdk_dynamodb::Client,
    pub contacts_table: &'a str,
    pub suppression_table: &'a str,
    pub carts_table: &'a str,
    pub contributions_table: &'a str,
}

type Item = std::collections::HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn email_keys(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i.get("sk").and_then(|v| v.as_s().ok()))
        .filter_map(|sk| keys::lookup_key_of(sk))
        .filter(|key| keys::is_email_key(key))
        .map(str::to_string)
        .collect()
}

/// Where a contact's public contributions sit in conversations: their own ids and the ids
/// they answered, each as `{source}#{id on the platform}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thread {
    pub ids: HashSet<String>,
    pub parents: Vec<String>,
}

/// The interactions between two people Liaison saw: how often one answered the other in
/// public (a reply to a comment, a comment on a post), both ways. Pure.
pub fn interactions(a: &Thread, b: &Thread) -> u32 {
    let answered =
        |from: &Thread, to: &Thread| from.parents.iter().filter(|p| to.ids.contains(*p)).count();
    u32::try_from(answered(a, b) + answered(b, a)).unwrap_or(u32::MAX)
}

/// What a contact is to the brand, and whether they may be written to.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub contact_type: ContactType,
    pub suppressed: bool,
    pub opted_out: bool,
    pub influence: f64,
    /// Praise of the brand (identify counts it: an advocate).
    pub praises: u32,
}

/// A contact's public contributions as ranking reads them.
struct Public {
    count: u32,
    intents: u32,
    thread: Thread,
}

impl Facts<'_> {
    /// What the contact is to the brand and whether they may be written to: their
    /// partition and the suppression list. `None` for an erased or merged contact.
    pub async fn standing(&self, contact_id: &str) -> Result<Option<Standing>, Error> {
        let items = self.contact_items(contact_id).await?;
        let Some(profile) = items.iter().find(|i| keys::is_profile(i)) else {
            return Ok(None);
        };
        if profile.contains_key("merged_into") {
            return Ok(None);
        }
        let consent = profile
            .get("consent")
            .and_then(|v| v.as_m().ok())
            .and_then(|m| m.get("marketing"))
            .and_then(|v| v.as_bool().ok())
            .copied();
        Ok(Some(Standing {
            contact_type: profile
                .get("type")
                .and_then(|v| v.as_s().ok())
                .and_then(|t| ContactType::parse(t))
                .unwrap_or(ContactType::Prospect),
            suppressed: self.suppressed(&email_keys(&items)).await?,
            opted_out: consent == Some(false) || profile.contains_key("unsubscribed_at"),
            influence: profile
                .get("influence")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0.0),
            praises: profile
                .get("praises")
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        }))
    }

    /// What ranking reads of a contact, and where they spoke; `None` for an erased or
    /// merged one.
    pub async fn known(
        &self,
        contact_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Known, Thread)>, Error> {
        let (standing, open_cart_at, public) = tokio::try_join!(
            self.standing(contact_id),
            self.open_cart(contact_id, now),
            self.public(contact_id),
        )?;
        let Some(standing) = standing else {
            return Ok(None);
        };
        let known = Known {
            contact_id: contact_id.to_string(),
            contact_type: standing.contact_type,
            suppressed: standing.suppressed,
            opted_out: standing.opted_out,
            contributions: public.count,
            purchase_intents: public.intents,
            open_cart_at,
            influence: standing.influence,
            praises: standing.praises,
        };
        Ok(Some((known, public.thread)))
    }

    /// Where the contact spoke in public (the customer's side of interactions).
    pub async fn thread(&self, contact_id: &str) -> Result<Thread, Error> {
        Ok(self.public(contact_id).await?.thread)
    }

    /// The profile and the contact's identities: one Query of its partition.
    async fn contact_items(&self, contact_id: &str) -> Result<Vec<Item>, Error> {
        let query = self
            .client
            .query()
            .table_name(self.contacts_table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", keys::contact_partition(contact_id));
        shared::kit::pages::query_all(query, "Query contact").await
    }

    /// The lookup keys of the contact's emails (self-referral checks compare them).
    pub async fn email_keys(&self, contact_id: &str) -> Result<Vec<String>, Error> {
        Ok(email_keys(&self.contact_items(contact_id).await?))
    }

    async fn suppressed(&self, email_keys: &[String]) -> Result<bool, Error> {
        for key in email_keys {
            if suppression::contains(self.client, self.suppression_table, key).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn open_cart(
        &self,
        contact_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        let since = now - Duration::days(OPEN_CART_DAYS);
        let out = self
            .client
            .query()
            .table_name(self.carts_table)
            .index_name(shared::contracts::carts::BY_CONTACT_INDEX)
            .key_condition_expression("contact_id = :c AND last_activity >= :since")
            .filter_expression("cart_status = :open")
            .expression_attribute_values(":c", s(contact_id))
            .expression_attribute_values(":since", s(shared::kit::clock::stamp(since)))
            .expression_attribute_values(":open", s("open"))
            .scan_index_forward(false)
            .send()
            .await
            .map_err(|e| Error::from_sdk("Query open carts", e))?;
        Ok(out
            .items()
            .iter()
            .filter_map(|i| i.get("last_activity").and_then(|v| v.as_s().ok()))
            .filter_map(|t| t.parse::<DateTime<Utc>>().ok())
            .max())
    }

    /// Public contributions (not a direct message, not spam, not held), the purchase
    /// intents among them, and the conversations they are part of.
    async fn public(&self, contact_id: &str) -> Result<Public, Error> {
        use shared::contracts::events::ContributionKind;
        use shared::contracts::moderation::Decision;
        use shared::contracts::rules::Label;
        let query = self
            .client
            .query()
            .table_name(self.contributions_table)
            .index_name("ByContact")
            .key_condition_expression("contact_id = :c")
            .expression_attribute_values(":c", s(contact_id));
        let items = shared::kit::pages::query_all(query, "Query contributions").await?;
        let public: Vec<shared::contracts::contributions::ContributionRecord> = items
            .into_iter()
            .filter_map(|i| serde_dynamo::from_item(i).ok())
            .filter(|r: &shared::contracts::contributions::ContributionRecord| {
                r.contribution.kind != ContributionKind::DirectMessage
                    && r.classification.label != Label::Spam
                    && r.moderation
                        .as_ref()
                        .is_none_or(|m| m.decision == Decision::Approve)
            })
            .collect();
        let intents = public
            .iter()
            .filter(|r| r.classification.label == Label::PurchaseIntent)
            .count();
        let at = |source: &str, id: &str| format!("{source}#{id}");
        let thread = Thread {
            ids: public
                .iter()
                .map(|r| at(&r.source_id, &r.contribution.external_id))
                .collect(),
            parents: public
                .iter()
                .filter_map(|r| {
                    let parent = r
                        .contribution
                        .parent_id
                        .as_ref()
                        .or(r.contribution.thread_id.as_ref())?;
                    Some(at(&r.source_id, parent))
                })
                .collect(),
        };
        Ok(Public {
            count: public.len() as u32,
            intents: intents as u32,
            thread,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(ids: &[&str], parents: &[&str]) -> Thread {
        Thread {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            parents: parents.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn answers_either_way_should_count_as_interactions() {
        let customer = thread(&["blog#c1", "blog#c2"], &["blog#post-9"]);
        // Two replies to the customer's comments, and the customer answered one of theirs.
        let friend = thread(
            &["blog#c7", "blog#post-9"],
            &["blog#c1", "blog#c2", "blog#c5"],
        );
        assert_eq!(interactions(&customer, &friend), 3);
        assert_eq!(interactions(&friend, &customer), 3);
        // The same ids on another source are other conversations.
        let elsewhere = thread(&["forum#c7"], &["forum#c1"]);
        assert_eq!(interactions(&customer, &elsewhere), 0);
        assert_eq!(interactions(&Thread::default(), &friend), 0);
    }
}
