//! `ReferralsTable`: referral conversions with their rewards, and what anti-fraud compares.
//!
//! | item | pk | sk | |
//! | --- | --- | --- | --- |
//! | a conversion | `conversion#{id}` | `conversion` | [`Conversion`]; `kind` = `conversion`, `referrer`, `referred`, `ip_key` feed the indexes |
//! | a person's order prints | `contact#{id}` | `prints` | string sets of keyed hashes: `emails`, `names`, `payments`, `addresses` |
//! | "was referred" | `contact#{id}` | `referred` | the conversion that referred them: a person converts once |
//!
//! Indexes: `ByReferrer` and `ByIp` (anti-fraud counts, erasure), `ByReferred` (erasure),
//! `ByKind` (every conversion newest first, for staff).
//!
//! A reward's state: `pending` until `approve_at` (an approval delay longer than the
//! shop's return window), then `approved`, shown so without a write; `flagged` when an
//! anti-fraud rule matched (never paid until staff clear it); `rejected`; `paid`.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use shared::kit::clock::stamp;
use shared::Error;

use crate::fraud::{Flag, Prints};

pub const BY_REFERRER_INDEX: &str = shared::contracts::referrals::CONVERSIONS_BY_REFERRER_INDEX;
pub const BY_REFERRED_INDEX: &str = shared::contracts::referrals::CONVERSIONS_BY_REFERRED_INDEX;
pub const BY_IP_INDEX: &str = "ByIp";
pub const BY_KIND_INDEX: &str = shared::contracts::referrals::CONVERSIONS_BY_KIND_INDEX;

/// What staff see of a reward: the stored state, with `pending` read as `approved` once its
/// approval date has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardState {
    Pending,
    Approved,
    Flagged,
    Rejected,
    Paid,
}

impl RewardState {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardState::Pending => "pending",
            RewardState::Approved => "approved",
            RewardState::Flagged => "flagged",
            RewardState::Rejected => "rejected",
            RewardState::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RewardState::Pending,
            RewardState::Approved,
            RewardState::Flagged,
            RewardState::Rejected,
            RewardState::Paid,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How the order was tied to the referrer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The order carried the referral code.
    Code,
    /// The buyer was invited (the link shared or clicked) within the window.
    Invitation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub state: RewardState,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    pub id: String,
    pub referrer: String,
    /// The buyer's contact; removed when the buyer is erased (the referrer's reward stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred: Option<String>,
    pub code: String,
    pub via: Via,
    pub source_id: String,
    pub order_id: String,
    pub currency: String,
    pub total: Decimal,
    pub reward: Decimal,
    pub placed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub approve_at: DateTime<Utc>,
    /// `pending`, `flagged`, `rejected` or `paid` (never `approved`: that is read).
    pub reward_state: RewardState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// Keyed hash of the buyer's IP (the `ByIp` index); removed at the buyer's erasure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_key: Option<String>,
}

impl Conversion {
    /// The state staff see at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> RewardState {
        match self.reward_state {
            RewardState::Pending if now >= self.approve_at => RewardState::Approved,
            other => other,
        }
    }
}

/// A conversion's id: one per (source, order), so a redelivered order is the same one.
pub fn conversion_id(source_id: &str, order_id: &str) -> String {
    shared::kit::ids::derived("rc", source_id, order_id)
}

/// The reward: `percent` of the order's total, rounded to the cent (banker's rounding, as
/// accounting does).
pub fn reward(total: Decimal, percent: Decimal) -> Decimal {
    // Totals are bounded at ingest (events::MAX_AMOUNT); an overflow would abort the process.
    total
        .checked_mul(percent)
        .map(|r| (r / Decimal::ONE_HUNDRED).round_dp(2))
        .unwrap_or(Decimal::ZERO)
}

/// What a staff decision does to a reward, from the state they see: a conflict when the
/// reward's state does not allow it, a validation error for an unknown decision.
pub fn next_state(seen: RewardState, decision: &str) -> Result<RewardState, Error> {
    match (decision, seen) {
        // Clearing a flag puts the reward back on the approval clock.
        ("clear", RewardState::Flagged) => Ok(RewardState::Pending),
        ("reject", RewardState::Pending | RewardState::Approved | RewardState::Flagged) => {
            Ok(RewardState::Rejected)
        }
        ("paid", RewardState::Approved) => Ok(RewardState::Paid),
        ("clear" | "reject" | "paid", other) => Err(Error::Conflict(format!(
            "a {} reward cannot be marked {decision}",
            other.as_str()
        ))),
        _ => Err(Error::validation(
            "decision",
            "decision must be clear, reject or paid",
        )),
    }
}

pub struct Conversions<'a> {
    pub client: &'a aws_sdk_dynamodb::Client,
    pub table: &'a str,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

use shared::contracts::referrals::{conversion_pk, person_pk as contact_pk};

/// What recording a conversion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// This order was recorded before (a redelivery).
    Again,
    /// The buyer was referred by an earlier order: a person converts once.
    AlreadyReferred,
}

impl Conversions<'_> {
    /// Adds an order's prints to a person's, for the day they refer someone.
    pub async fn add_prints(&self, contact: &str, prints: &Prints) -> Result<(), Error> {
        let sets: Vec<(&str, &BTreeSet<String>)> = [
            ("emails", &prints.emails),
            ("names", &prints.names),
            ("payments", &prints.payments),
            ("addresses", &prints.addresses),
        ]
        .into_iter()
        .filter(|(_, set)| !set.is_empty())
        .collect();
        if sets.is_empty() {
            return Ok(());
        }
        let mut update = self
            .client
            .update_item()
            .table_name(self.table)
            .key("pk", s(contact_pk(contact)))
            .key("sk", s("prints"));
        let mut adds = Vec::new();
        // Through placeholders: `names` is a DynamoDB reserved word.
        for (name, set) in sets {
            adds.push(format!("#{name} :{name}"));
            update = update
                .expression_attribute_names(format!("#{name}"), name)
                .expression_attribute_values(
                    format!(":{name}"),
                    AttributeValue::Ss(set.iter().cloned().collect()),
                );
        }
        update
            .update_expression(format!("ADD {}", adds.join(", ")))
            .send()
            .await
            .map_err(|e| Error::from_sdk("UpdateItem prints", e))?;
        Ok(())
    }

    /// A person's order prints (empty when they never ordered).
    pub async fn prints(&self, contact: &str) -> Result<Prints, Error> {
        let out = self
            .client
            .get_item()
            .table_name(self.table)
            .key("pk", s(contact_pk(contact)))
            .key("sk", s("prints"))
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem prints", e))?;
        let item = out.item.unwrap_or_default();
        let set = |name: &str| -> BTreeSet<String> {
            item.get(name)
                .and_then(|v| v.as_ss().ok())
                .map(|v| v.iter().cloned().collect())
                .unwrap_or_default()
        };
        Ok(Prints {
            emails: set("emails"),
            names: set("names"),
            payments: set("payments"),
            addresses: set("addresses"),
        })
    }

    /// How many conversions an index holds under `key` placed in `[since, before)`.
    pub async fn count_between(
        &self,
        index: &str,
        attribute: &str,
        key: &str,
        since: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<usize, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .index_name(index)
            .key_condition_expression("#k = :k AND placed_at BETWEEN :since AND :before")
            .expression_attribute_names("#k", attribute)
            .expression_attribute_values(":k", s(key))
            .expression_attribute_values(":since", s(stamp(since)))
            .expression_attribute_values(":before", s(stamp(before)));
        Ok(shared::kit::pages::query_all(query, "Query conversions")
            .await?
            .len())
    }

    /// Records a conversion once, and marks its buyer referred, in one transaction.
    pub async fn record(&self, conversion: &Conversion) -> Result<Recorded, Error> {
        let mut item: HashMap<String, AttributeValue> =
            shared::kit::dynamo::encode(conversion, "conversion")?;
        item.insert("pk".into(), s(conversion_pk(&conversion.id)));
        item.insert("sk".into(), s("conversion"));
        item.insert(
            "kind".into(),
            s(shared::contracts::referrals::CONVERSION_KIND),
        );
        let put = |item: HashMap<String, AttributeValue>| {
            Put::builder()
                .table_name(self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map(|p| TransactWriteItem::builder().put(p).build())
                .map_err(|e| Error::caused("conversion put", e))
        };
        let mut writes = vec![put(item)?];
        if let Some(buyer) = &conversion.referred {
            writes.push(put(HashMap::from([
                ("pk".to_string(), s(contact_pk(buyer))),
                ("sk".to_string(), s("referred")),
                ("conversion".to_string(), s(&conversion.id)),
            ]))?);
        }
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        Ok(
            match shared::kit::dynamo::transaction_held(written, "TransactWriteItems conversion")? {
                None => Recorded::New,
                Some(failed) if failed.contains(&0) => Recorded::Again,
                Some(_) => Recorded::AlreadyReferred,
            },
        )
    }

    pub async fn get(&self, id: &str) -> Result<Option<Conversion>, Error> {
        let key = shared::kit::dynamo::pk_sk(conversion_pk(id), "conversion");
        shared::kit::dynamo::get(self.client, self.table, key, "conversion").await
    }

    /// Applies a staff decision, if the reward is still as `seen` was read: `false` when it
    /// changed meanwhile (someone else decided).
    pub async fn decide(
        &self,
        seen: &Conversion,
        next: RewardState,
        decision: Decision,
    ) -> Result<bool, Error> {
        let decision = serde_dynamo::to_attribute_value(&decision)
            .map_err(|e| Error::caused("encode decision", e))?;
        let mut update = self
            .client
            .update_item()
            .table_name(self.table)
            .key("pk", s(conversion_pk(&seen.id)))
            .key("sk", s("conversion"))
            .condition_expression("reward_state = :seen")
            .expression_attribute_values(":seen", s(seen.reward_state.as_str()))
            .expression_attribute_values(":next", s(next.as_str()))
            .expression_attribute_values(":decision", AttributeValue::L(vec![decision]))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()));
        update = update.update_expression(
            "SET reward_state = :next, decisions = list_append(if_not_exists(decisions, :none), :decision)",
        );
        shared::kit::dynamo::condition_held(update.send().await, "UpdateItem conversion decision")
    }

    /// One page of conversions, newest first.
    pub fn list(&self) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(self.table)
            .index_name(BY_KIND_INDEX)
            .key_condition_expression("kind = :k")
            .expression_attribute_values(":k", s(shared::contracts::referrals::CONVERSION_KIND))
            .scan_index_forward(false)
    }
}

/// When a reward is approved: the approval delay after the order.
pub fn approve_at(from: DateTime<Utc>, approval_days: i64) -> DateTime<Utc> {
    from + Duration::days(approval_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn conversion(state: RewardState) -> Conversion {
        Conversion {
            id: conversion_id("src", "o1"),
            referrer: "c_a".into(),
            referred: Some("c_b".into()),
            code: "r_x".into(),
            via: Via::Code,
            source_id: "src".into(),
            order_id: "o1".into(),
            currency: "EUR".into(),
            total: Decimal::new(8490, 2),
            reward: Decimal::new(849, 2),
            placed_at: at("2026-11-01T10:00:00Z"),
            recorded_at: at("2026-11-01T10:00:05Z"),
            approve_at: at("2026-12-16T10:00:00Z"),
            reward_state: state,
            flags: Vec::new(),
            decisions: Vec::new(),
            ip_key: None,
        }
    }

    #[test]
    fn a_pending_reward_should_read_approved_once_its_date_passed() {
        let c = conversion(RewardState::Pending);
        assert_eq!(c.state(at("2026-12-16T09:59:59Z")), RewardState::Pending);
        assert_eq!(c.state(at("2026-12-16T10:00:00Z")), RewardState::Approved);
        let flagged = conversion(RewardState::Flagged);
        assert_eq!(
            flagged.state(at("2027-06-01T00:00:00Z")),
            RewardState::Flagged
        );
    }

    #[test]
    fn only_an_approved_reward_may_be_paid_and_only_a_flagged_one_cleared() {
        let next = |seen, decision| next_state(seen, decision).ok();
        assert_eq!(next(RewardState::Approved, "paid"), Some(RewardState::Paid));
        assert_eq!(
            next(RewardState::Flagged, "clear"),
            Some(RewardState::Pending)
        );
        assert_eq!(
            next(RewardState::Flagged, "reject"),
            Some(RewardState::Rejected)
        );
        let refused = |seen, decision| next_state(seen, decision).unwrap_err().status();
        assert_eq!(refused(RewardState::Pending, "paid"), 409);
        assert_eq!(refused(RewardState::Flagged, "paid"), 409);
        assert_eq!(refused(RewardState::Pending, "clear"), 409);
        assert_eq!(refused(RewardState::Paid, "reject"), 409);
        assert_eq!(refused(RewardState::Rejected, "paid"), 409);
        assert_eq!(refused(RewardState::Pending, "steal"), 400);
    }

    #[test]
    fn the_reward_should_be_a_rounded_share_of_the_total() {
        assert_eq!(
            reward(Decimal::new(8490, 2), Decimal::TEN),
            Decimal::new(849, 2)
        );
        assert_eq!(
            reward(Decimal::new(1999, 2), Decimal::new(15, 0)),
            Decimal::new(300, 2)
        );
    }

    #[test]
    fn one_order_should_have_one_conversion_id() {
        assert_eq!(conversion_id("s", "o"), conversion_id("s", "o"));
        assert_ne!(conversion_id("s", "o"), conversion_id("s", "o2"));
        assert_ne!(conversion_id("s1", "o"), conversion_id("s", "1o"));
    }
}
