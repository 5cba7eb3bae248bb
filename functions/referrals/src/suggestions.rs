//! `SuggestionsTable`: who each customer was told they could invite, with the reasons,
//! the referral code to share, and what the customer did with it.
//!
//! | pk | sk | |
//! | --- | --- | --- |
//! | `{referrer contact id}` | `{candidate key}` | `handle`, `name`, `contact_id` (the candidate, when known), `score`, `reasons`, `code`, `status` (`suggested`, `sent`, `dismissed`), `suggested_at`, `candidate` |
//!
//! The `ByCandidate` index (`candidate`, `suggested_at`) answers the rules that span
//! referrers: when a candidate was last suggested by anyone (cooldown), and by how many
//! referrers lately (fatigue).

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use shared::clock::stamp;
use shared::Error;

use crate::rank::Suggestion;

pub const BY_CANDIDATE_INDEX: &str = "ByCandidate";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Suggested,
    /// The customer shared their link with this person.
    Sent,
    Dismissed,
}

impl Status {
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
}

/// What the rules spanning referrers read of a candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub last_suggested_at: Option<DateTime<Utc>>,
    /// Distinct referrers who suggested them since the fatigue window began.
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
        let mut out: Vec<Stored> = shared::pages::query_all(query, "Query suggestions")
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

    /// When `candidate` was last suggested by anyone, and by how many referrers since
    /// `window_start`.
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
        let items = shared::pages::query_all(query, "Query candidate history").await?;
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
            if at >= window_start {
                if let Some(r) = item.get("pk").and_then(|v| v.as_s().ok()) {
                    recent.insert(r.clone());
                }
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
        shared::source::condition_held(put, "PutItem suggestion")
    }

    /// The customer shared their link with the person, or dismissed the suggestion;
    /// `false` when there is no such suggestion.
    pub async fn mark(
        &self,
        referrer: &str,
        candidate: &str,
        status: Status,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let updated = self
            .client
            .update_item()
            .table_name(self.table)
            .key("pk", s(referrer))
            .key("sk", s(candidate))
            .update_expression("SET #status = :status, updated_at = :now")
            .condition_expression("attribute_exists(sk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":now", s(stamp(now)))
            .send()
            .await;
        shared::source::condition_held(updated, "UpdateItem suggestion")
    }
}

/// How many suggestions `stored` holds from the last 7 days (the weekly cap counts them).
pub fn this_week(stored: &[Stored], now: DateTime<Utc>) -> usize {
    stored
        .iter()
        .filter(|s| s.suggested_at > now - Duration::days(7))
        .count()
}
