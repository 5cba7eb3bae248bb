//! `ContributionsTable`'s home: one item per contribution event, with what identify's
//! classifier made of it; identify writes them, admin and referrals read them. The write is conditional on the event id, so a redelivered message (SQS is
//! at-least-once, and ingest may re-enqueue after a crash) has one effect.
//!
//! The same transaction adds the contribution to the report counters (`ReportsTable`):
//! the counts move exactly when a contribution is first recorded, never twice, never
//! without it, and `/admin/reports/contributions` reads them without a Scan.
//!
//! | report item | pk | sk |
//! | --- | --- | --- |
//! | contributions per day | `day` | `{yyyy-mm-dd}` |
//! | per platform and day | `platform` | `{yyyy-mm-dd}#{platform}` |
//! | per label and day | `label` | `{yyyy-mm-dd}#{label}` |
//!
//! Three items a day per dimension value: each takes at most one write per contribution,
//! far below a DynamoDB item's 1,000 writes a second.

use std::collections::HashMap;

use crate::contracts::events::Contribution;
use crate::contracts::sources::Platform;
use crate::Error;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::contracts::contacts::standing::ContactType;
use crate::contracts::moderation::Moderation;
use crate::contracts::rules::Label;

pub mod corrections;
pub use corrections::Correction;

/// What identify's classifier made of a contribution (identify's `classify`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub label: Label,
    /// 0 to 1: how far the winning evidence is above what was needed.
    pub confidence: f32,
    /// The cues that counted for the label, as `label:cue`.
    pub cues: Vec<String>,
    /// What decided the label (records from before it was kept read as `builtin`).
    #[serde(default)]
    pub source: LabelSource,
}

/// Where a label came from, for staff and for the reports that measure each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// One of the brand's rules.
    Rule,
    /// The built-in cue lists and word model.
    #[default]
    Builtin,
    /// The built-in classifier with the word model the brand's staff corrections taught.
    Learned,
    /// A hosted language model (Amazon Bedrock), where the brand enabled it.
    Hosted,
    /// A person on the brand's staff.
    Staff,
}

impl LabelSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelSource::Rule => "rule",
            LabelSource::Builtin => "builtin",
            LabelSource::Learned => "learned",
            LabelSource::Hosted => "hosted",
            LabelSource::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionRecord {
    /// The event id (`evt_...`).
    pub id: String,
    pub source_id: String,
    pub platform: Platform,
    pub received_at: DateTime<Utc>,
    pub classified_at: DateTime<Utc>,
    /// The contact who wrote it (`None`: the author carried no email, account or handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// What the contact was when they wrote it (a tester, a partner...): the reports count
    /// each programme's contributions apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_type: Option<ContactType>,
    pub classification: Classification,
    /// Tags the brand's rules gave it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The brand rules that matched it, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// For a contribution that arrived held: what Liaison decided, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation: Option<Moderation>,
    /// The moderation decision again, as the key of the `ByModeration` index that
    /// `/admin/moderation` lists (absent for contributions that were not held).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moderation_status: Option<String>,
    pub contribution: Contribution,
    /// What staff said it really is, when they did (`corrections`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    AlreadyThere,
}

#[derive(Debug, Clone)]
pub struct ContributionStore {
    client: Client,
    table: String,
    reports_table: String,
}

impl ContributionStore {
    pub fn new(client: Client, table: impl Into<String>, reports_table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            reports_table: reports_table.into(),
        }
    }

    /// The contribution recorded as event `id`.
    pub async fn get(&self, id: &str) -> Result<Option<ContributionRecord>, Error> {
        crate::kit::dynamo::get(
            &self.client,
            &self.table,
            crate::kit::dynamo::key("id", id),
            "contribution",
        )
        .await
    }

    pub async fn record(&self, record: &ContributionRecord) -> Result<Recorded, Error> {
        let item: HashMap<String, AttributeValue> =
            crate::kit::dynamo::encode(record, "contribution")?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .build()
            .map_err(|e| Error::caused("transaction item", e))?;
        let mut writes = vec![TransactWriteItem::builder().put(put).build()];
        for (pk, sk) in report_keys(record) {
            writes.push(count_one(&self.reports_table, pk, sk)?);
        }
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await;
        match written {
            Ok(_) => Ok(Recorded::New),
            Err(e) => {
                // The put is first: its reason says whether the contribution was there.
                let already_there = matches!(
                    e.as_service_error(),
                    Some(TransactWriteItemsError::TransactionCanceledException(c))
                        if c.cancellation_reasons().first().and_then(|r| r.code())
                            == Some("ConditionalCheckFailed")
                );
                if already_there {
                    Ok(Recorded::AlreadyThere)
                } else {
                    Err(Error::from_sdk("TransactWriteItems contribution", e))
                }
            }
        }
    }
}

/// The transaction item that adds one to the report counter `pk`/`sk` (`ReportsTable`):
/// counters move in the transaction of what they count, never apart from it.
pub fn count_one(
    reports_table: &str,
    pk: impl Into<String>,
    sk: impl Into<String>,
) -> Result<TransactWriteItem, Error> {
    let update = Update::builder()
        .table_name(reports_table)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .update_expression("ADD #count :one")
        .expression_attribute_names("#count", "count")
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .build()
        .map_err(|e| Error::caused("transaction item", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// One report counter read back: its day, what it counts (empty for `by=day`), how many.
#[derive(Debug, Clone, PartialEq)]
pub struct Counter {
    pub day: String,
    pub key: String,
    pub count: u64,
}

/// The counters of dimension `by` (`platform`, `label`, `day`) from day `from` to day `to`,
/// both included: one Query over the range, never a Scan.
pub async fn report_counters(
    client: &Client,
    reports_table: &str,
    by: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<Counter>, Error> {
    let low = from.format("%Y-%m-%d").to_string();
    // `#` then `~` sorts after every platform and label name of that day.
    let high = format!("{}#~", to.format("%Y-%m-%d"));
    let query = client
        .query()
        .table_name(reports_table)
        .key_condition_expression("pk = :by AND sk BETWEEN :low AND :high")
        .expression_attribute_values(":by", AttributeValue::S(by.into()))
        .expression_attribute_values(":low", AttributeValue::S(low))
        .expression_attribute_values(":high", AttributeValue::S(high));
    let items = crate::kit::pages::query_all(query, "Query reports").await?;
    Ok(items.iter().filter_map(counter).collect())
}

/// A counter item as read back (`None` for an item of another shape).
fn counter(item: &HashMap<String, AttributeValue>) -> Option<Counter> {
    let sk = item.get("sk")?.as_s().ok()?;
    let count = item.get("count")?.as_n().ok()?.parse().ok()?;
    let (day, key) = sk.split_once('#').unwrap_or((sk, ""));
    Some(Counter {
        day: day.to_string(),
        key: key.to_string(),
        count,
    })
}

/// A contribution's tags counted at most: the counters go in its recording transaction,
/// which DynamoDB caps at 100 writes.
pub const MAX_COUNTED_TAGS: usize = 20;

/// The report counters a contribution adds one to: its platform, label and day, and each of
/// the tags the brand's rules gave it (at most [`MAX_COUNTED_TAGS`], in order).
pub fn report_keys(record: &ContributionRecord) -> Vec<(&'static str, String)> {
    let day = record.received_at.format("%Y-%m-%d").to_string();
    let mut keys = vec![
        ("platform", format!("{day}#{}", record.platform.as_str())),
        (
            "label",
            format!("{day}#{}", record.classification.label.as_str()),
        ),
    ];
    let mut tags: Vec<&str> = record.tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    tags.dedup();
    keys.extend(
        tags.into_iter()
            .take(MAX_COUNTED_TAGS)
            .map(|tag| ("tag", format!("{day}#{tag}"))),
    );
    if let Some(author_type) = record.author_type {
        keys.push(("author_type", format!("{day}#{}", author_type.as_str())));
    }
    keys.push(("day", day));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::events::{
        Author, Contribution, ContributionAction, ContributionKind, ModerationState,
    };

    fn record(tags: Vec<String>) -> ContributionRecord {
        let at: DateTime<Utc> = "2026-12-06T10:00:00Z".parse().unwrap();
        ContributionRecord {
            id: "evt_1".into(),
            source_id: "src_1".into(),
            platform: Platform::WordPress,
            received_at: at,
            classified_at: at,
            contact_id: None,
            author_type: Some(ContactType::Tester),
            classification: Classification {
                label: Label::Incident,
                confidence: 1.0,
                cues: vec![],
                source: LabelSource::Rule,
            },
            tags,
            rules: vec![],
            moderation: None,
            moderation_status: None,
            contribution: Contribution {
                action: ContributionAction::Created,
                kind: ContributionKind::Comment,
                external_id: "7".into(),
                thread_id: None,
                thread_title: None,
                parent_id: None,
                permalink: None,
                author: Author::default(),
                text: "x".into(),
                language: None,
                created_at: at,
                updated_at: None,
                moderation: ModerationState::Published,
                rating: None,
            },
            correction: None,
        }
    }

    #[test]
    fn each_rule_tag_should_be_counted_once_and_no_more_than_the_transaction_takes() {
        let keys = report_keys(&record(vec!["press".into(), "lids".into(), "press".into()]));
        let tags: Vec<&str> = keys
            .iter()
            .filter(|(by, _)| *by == "tag")
            .map(|(_, key)| key.as_str())
            .collect();
        assert_eq!(tags, ["2026-12-06#lids", "2026-12-06#press"]);
        assert!(keys.contains(&("day", "2026-12-06".into())));
        assert!(
            keys.contains(&("author_type", "2026-12-06#tester".into())),
            "a programme's contributions counted apart"
        );
        let many = report_keys(&record((0..50).map(|i| format!("t{i:02}")).collect()));
        assert_eq!(
            many.iter().filter(|(by, _)| *by == "tag").count(),
            MAX_COUNTED_TAGS
        );
    }
}
