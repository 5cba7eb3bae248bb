//! `SuggestionsTable`: who each customer was told they could invite, with the reasons,
//! the referral code to share, and what the customer did with it.
//!
//! | pk | sk | |
//! | --- | --- | --- |
//! | `{referrer contact id}` | `{candidate key}` | `handle`, `name`, `contact_id` (the candidate, when known), `score`, `reasons`, `code`, `status` (`suggested`, `sent`, `dismissed`), `suggested_at`, `updated_at`, `candidate`, `visits`, `clicked_at`, `last_visit_at` |
//!
//! The `ByCandidate` index (`candidate`, `suggested_at`) answers the rules that span
//! referrers: when a candidate was last suggested by anyone (cooldown), and by how many
//! referrers they were invited lately (fatigue). `ByCode` finds a code's suggestion
//! (`shared::contracts::referrals`); `ByContact` the invitations a known contact received, for
//! attribution.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::kit::clock::stamp;
use shared::Error;

use crate::rank::Suggestion;

pub const BY_CANDIDATE_INDEX: &str = "ByCandidate";
pub const BY_CONTACT_INDEX: &str = shared::contracts::referrals::SUGGESTIONS_BY_CONTACT_INDEX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Suggested,
    /// The customer shared their link with this person.
    Sent,
    Dismissed,
}

impl Status {
    pub fn parse(s: &str) -> Option<Self> {
        [Status::Suggested, Status::Sent, Status::Dismissed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Suggested => "suggested",
            Status::Sent => "sent",
            Status::Dismissed => "dismissed",
        }
    }
}

/// A stored suggestion, as the site and staff read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    #[serde(rename = "sk")]
    pub candidate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f64,
    pub reasons: Vec<String>,
    pub code: String,
    pub status: Status,
    pub suggested_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The candidate when the brand knows them (staff only: never shown to the site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Visits of the referral link, and the first of them.
    #[serde(default)]
    pub visits: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicked_at: Option<DateTime<Utc>>,
}

impl Stored {
    pub fn invitation(&self, referrer: &str) -> Invitation {
        Invitation {
            referrer: referrer.to_string(),
            code: self.code.clone(),
            status: self.status,
            suggested_at: self.suggested_at,
            updated_at: self.updated_at,
            clicked_at: self.clicked_at,
        }
    }
}

/// A suggestion as attribution reads it: when, if ever, the candidate was invited.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Invitation {
    #[serde(rename = "pk")]
    pub referrer: String,
    /// Not in the `ByCandidate` index, which only needs the times.
    #[serde(default)]
    pub code: String,
    pub status: Status,
    pub suggested_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub clicked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// When the candidate was invited: when the customer said, signed in on the site, that
    /// they shared the link. A visit of the link is not an invitation: a GET is made by mail
    /// scanners, link previews and the referrer themselves as much as by the friend (a visit
    /// leads to a referral only through the code the landing gives the shop's order).
    pub fn invited_at(&self) -> Option<DateTime<Utc>> {
        self.updated_at.filter(|_| self.status == Status::Sent)
    }
}

/// Whether the customer may move a suggestion from `from` to `to`: a shared link cannot be
/// unshared, so `sent` never becomes `dismissed`; the same status again is harmless.
pub fn may_mark(from: Status, to: Status) -> bool {
    !(from == Status::Sent && to == Status::Dismissed) && to != Status::Suggested
}

/// What the rules spanning referrers read of a candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub last_suggested_at: Option<DateTime<Utc>>,
    /// Distinct referrers who invited them since the fatigue window began.
    pub recent_referrers: u32,
}

pub struct Suggestions<'a> {
    pub client: &'a aws_sdk_dynamodb::Client,
    pub table: &'a str,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

impl Suggestions<'_> {
    /// Every suggestion made to `referrer`, newest first.
    pub async fn of(&self, referrer: &str) -> Result<Vec<Stored>, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .key_condition_expression("pk = :r")
            .expression_attribute_values(":r", s(referrer));
        let mut out: Vec<Stored> = shared::kit::pages::query_all(query, "Query suggestions")
            .await?
            .into_iter()
            .filter_map(|i| serde_dynamo::from_item(i).ok())
            .collect();
        out.sort_by(|a, b| {
            b.suggested_at
                .cmp(&a.suggested_at)
                .then(b.score.total_cmp(&a.score))
        });
        Ok(out)
    }

    /// When `candidate` was last suggested by anyone, and by how many referrers they were
    /// invited (shared or clicked) since `window_start`.
    pub async fn history(
        &self,
        candidate: &str,
        window_start: DateTime<Utc>,
    ) -> Result<History, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .index_name(BY_CANDIDATE_INDEX)
            .key_condition_expression("candidate = :c")
            .expression_attribute_values(":c", s(candidate));
        let items = shared::kit::pages::query_all(query, "Query candidate history").await?;
        let mut last = None;
        let mut recent = HashSet::new();
        for item in &items {
            let Some(at) = item
                .get("suggested_at")
                .and_then(|v| v.as_s().ok())
                .and_then(|t| t.parse::<DateTime<Utc>>().ok())
            else {
                continue;
            };
            last = last.max(Some(at));
            let Ok(invitation) = serde_dynamo::from_item::<_, Invitation>(item.clone()) else {
                continue;
            };
            if invitation.invited_at().is_some_and(|at| at >= window_start) {
                recent.insert(invitation.referrer);
            }
        }
        Ok(History {
            last_suggested_at: last,
            recent_referrers: recent.len() as u32,
        })
    }

    /// Stores a new suggestion with its referral code; `false` if the customer already had
    /// this person suggested.
    pub async fn add(
        &self,
        referrer: &str,
        suggestion: &Suggestion,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let mut item = HashMap::from([
            ("pk".to_string(), s(referrer)),
            ("sk".to_string(), s(&suggestion.key)),
            ("candidate".to_string(), s(&suggestion.key)),
            (
                "score".to_string(),
                AttributeValue::N(format!("{:.4}", suggestion.score)),
            ),
            (
                "reasons".to_string(),
                AttributeValue::L(suggestion.reasons.iter().map(s).collect()),
            ),
            ("code".to_string(), s(code)),
            ("status".to_string(), s(Status::Suggested.as_str())),
            ("suggested_at".to_string(), s(stamp(now))),
        ]);
        if let Some(h) = &suggestion.handle {
            item.insert("handle".into(), s(h));
        }
        if let Some(n) = &suggestion.name {
            item.insert("name".into(), s(n));
        }
        if let Some(c) = &suggestion.contact_id {
            item.insert("contact_id".into(), s(c));
        }
        let put = self
            .client
            .put_item()
            .table_name(self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(sk)")
            .send()
            .await;
        shared::kit::dynamo::condition_held(put, "PutItem suggestion")
    }

    /// One suggestion of `referrer`.
    pub async fn get(&self, referrer: &str, candidate: &str) -> Result<Option<Stored>, Error> {
        let key = shared::kit::dynamo::pk_sk(referrer, candidate);
        shared::kit::dynamo::get(self.client, self.table, key, "suggestion").await
    }

    /// The referrer a referral code belongs to, and their suggestion.
    pub async fn by_code(&self, code: &str) -> Result<Option<(String, Stored)>, Error> {
        let Some((referrer, candidate)) =
            shared::contracts::referrals::find_code(self.client, self.table, code).await?
        else {
            return Ok(None);
        };
        Ok(self
            .get(&referrer, &candidate)
            .await?
            .map(|stored| (referrer, stored)))
    }

    /// The suggestions made about a known contact, as invitations.
    pub async fn invitations_of(&self, contact_id: &str) -> Result<Vec<Invitation>, Error> {
        let query = self
            .client
            .query()
            .table_name(self.table)
            .index_name(BY_CONTACT_INDEX)
            .key_condition_expression("contact_id = :c")
            .expression_attribute_values(":c", s(contact_id));
        Ok(
            shared::kit::pages::query_all(query, "Query suggestions of a contact")
                .await?
                .into_iter()
                .filter_map(|i| serde_dynamo::from_item(i).ok())
                .collect(),
        )
    }

    /// The customer shared their link with the person, or dismissed the suggestion, if it
    /// is still as `seen` was read: `false` when it changed meanwhile.
    pub async fn mark(
        &self,
        referrer: &str,
        seen: &Stored,
        status: Status,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let updated = self
            .client
            .update_item()
            .table_name(self.table)
            .key("pk", s(referrer))
            .key("sk", s(&seen.candidate))
            .update_expression("SET #status = :status, updated_at = :now")
            .condition_expression("#status = :seen")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":seen", s(seen.status.as_str()))
            .expression_attribute_values(":now", s(stamp(now)))
            .send()
            .await;
        shared::kit::dynamo::condition_held(updated, "UpdateItem suggestion")
    }
}

/// How many suggestions `stored` holds from the last 7 days (the weekly cap counts them).
pub fn this_week(stored: &[Stored], now: DateTime<Utc>) -> usize {
    stored
        .iter()
        .filter(|s| s.suggested_at > now - Duration::days(7))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_suggestion_the_customer_shared_should_be_an_invitation() {
        let mut i = Invitation {
            referrer: "c_a".into(),
            code: "r_x".into(),
            status: Status::Suggested,
            suggested_at: at("2026-11-01T00:00:00Z"),
            updated_at: None,
            clicked_at: None,
        };
        assert_eq!(i.invited_at(), None);
        // Dismissed, then its link opened (by anyone: a scanner, the referrer): no invitation.
        i.status = Status::Dismissed;
        i.updated_at = Some(at("2026-11-02T00:00:00Z"));
        assert_eq!(i.invited_at(), None);
        i.clicked_at = Some(at("2026-11-03T00:00:00Z"));
        assert_eq!(i.invited_at(), None);
        i.status = Status::Sent;
        i.updated_at = Some(at("2026-11-04T00:00:00Z"));
        assert_eq!(i.invited_at(), Some(at("2026-11-04T00:00:00Z")));
    }

    #[test]
    fn a_shared_link_should_not_be_dismissed() {
        assert!(may_mark(Status::Suggested, Status::Sent));
        assert!(may_mark(Status::Suggested, Status::Dismissed));
        assert!(may_mark(Status::Dismissed, Status::Sent));
        assert!(may_mark(Status::Sent, Status::Sent));
        assert!(!may_mark(Status::Sent, Status::Dismissed));
        assert!(!may_mark(Status::Sent, Status::Suggested));
    }
}
