//! `CasesTable`, `OpportunitiesTable` and `QuestionsTable`'s home: the work identify opens
//! from a contribution (a case for customer service, an opportunity for sales, a question
//! for its owner, customer service or marketing) and staff work in admin (assign, note,
//! close). The tables have the same shape: partition key `id` (derived from the
//! contribution, so a redelivery names the same item), `ByStatus` index (`status`, then
//! `due_at` for cases and questions, `opened_at` for opportunities), `ByContact` index.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::contracts::contacts::standing::ContactType;
use crate::contracts::rules::{Priority, Team};
use crate::kit::dynamo::{self, condition_held, is_condition_failure, s, Item};
use crate::Error;

/// What a case and an opportunity both hold: the contribution they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub id: String,
    pub event_id: String,
    pub source_id: String,
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// What the author is to the brand when the case opened (a customer, a journalist...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<ContactType>,
    /// How many people the author reaches, as their profile said when the item opened: on
    /// the items of a blogger, an association or a journalist, for whoever answers them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<AuthorAudience>,
    /// Tags the brand's rules gave the contribution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// What the contribution was understood as (a rule may route any label to a queue):
    /// the inbox filters on it. Absent on items opened before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<crate::contracts::rules::Label>,
    pub status: String,
    pub opened_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    /// What the person wrote: staff need it (never logged).
    pub text: String,
}

/// An author's audience on a case or a question: their reach (0 to 100, before their type;
/// `crate::contracts::contacts::scores`) and what it was measured from, when it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorAudience {
    pub reach: f64,
    /// `youtube subscribers 120000`, `blog https://lumiere.blog`; absent: never measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    #[serde(flatten)]
    pub opened: Opened,
    pub priority: Priority,
    pub due_at: DateTime<Utc>,
    pub cues: Vec<String>,
    /// Whether `case.opened` was published on the `events` queue.
    #[serde(default, alias = "support_queued")]
    pub announced: bool,
    #[serde(default)]
    pub alert_sent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    #[serde(flatten)]
    pub opened: Opened,
    /// What it is worth, a decimal in `currency` (from staff or the CRM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// ISO 4217.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Where the sale stands, in the words of whoever works it (a CRM's stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// How it ended, once closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// A question someone asked in public, in its owner's queue until answered or closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    #[serde(flatten)]
    pub opened: Opened,
    /// The team that answers it (customer service unless a brand rule says marketing).
    pub owner: Team,
    pub priority: Priority,
    /// When its SLA runs out: the SLA watch tells its owner once after.
    pub due_at: DateTime<Utc>,
}

/// How an opportunity ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Won,
    Lost,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }
}

/// The largest amount an opportunity takes (a typing slip, not a deal).
pub const MAX_AMOUNT: rust_decimal::Decimal = rust_decimal::Decimal::from_parts(0, 1, 0, false, 0);

/// An amount as given (`"1250.50"`) and its ISO 4217 currency, checked: the amount written
/// plainly, the currency in upper case.
pub fn money(amount: &str, currency: &str) -> Result<(String, String), Error> {
    let value: rust_decimal::Decimal = amount
        .trim()
        .parse()
        .map_err(|_| Error::validation("amount", "must be a decimal number such as 1250.50"))?;
    if value.is_sign_negative() || value > MAX_AMOUNT || value.scale() > 4 {
        return Err(Error::validation(
            "amount",
            "must be 0 to 4294967296, with at most 4 decimals",
        ));
    }
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::validation(
            "currency",
            "must be an ISO 4217 code such as EUR",
        ));
    }
    Ok((value.normalize().to_string(), currency))
}

/// `case_…` / `opp_…` from the contribution (its source and its id on the platform), not
/// the event: a redelivery, and an edit of the same comment, name the same item.
pub fn id_for(prefix: &str, source_id: &str, external_id: &str) -> String {
    crate::kit::ids::derived(prefix, source_id, external_id)
}

pub const BY_STATUS_INDEX: &str = "ByStatus";

/// Notes live inside the item, which DynamoDB caps at 400 KB: at most this many, each at
/// most 4,000 characters (16 KB in the worst UTF-8), well under the cap with the case.
pub const MAX_NOTES: usize = 20;

/// Writes a new case or opportunity: `true` when written now, `false` when an earlier
/// delivery of the same contribution had.
pub async fn open_once<T: Serialize>(
    client: &Client,
    table: &str,
    item: &T,
) -> Result<bool, Error> {
    let written = client
        .put_item()
        .table_name(table)
        .set_item(Some(dynamo::encode(item, "work item")?))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    condition_held(written, "PutItem work item")
}

/// The case or opportunity `id` as it is now.
pub async fn get<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    id: &str,
) -> Result<Option<T>, Error> {
    dynamo::get(client, table, dynamo::key("id", id), "work item").await
}

/// The same, as stored (for staff's answers, which show every attribute).
pub async fn get_item(client: &Client, table: &str, id: &str) -> Result<Option<Item>, Error> {
    dynamo::get_item(client, table, dynamo::key("id", id), "work item").await
}

/// An outside effect of a case, marked once done so a retry does only the missing ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEffect {
    /// `case.opened` on the `events` queue, for the helpdesk and every other endpoint.
    Announced,
    /// The alert email to customer service.
    AlertSent,
}

impl CaseEffect {
    fn attribute(self) -> &'static str {
        match self {
            CaseEffect::Announced => "announced",
            CaseEffect::AlertSent => "alert_sent",
        }
    }
}

pub async fn mark_done(
    client: &Client,
    table: &str,
    id: &str,
    effect: CaseEffect,
) -> Result<(), Error> {
    client
        .update_item()
        .table_name(table)
        .key("id", s(id))
        .update_expression("SET #f = :t")
        .expression_attribute_names("#f", effect.attribute())
        .expression_attribute_values(":t", AttributeValue::Bool(true))
        .send()
        .await
        .map_err(|e| Error::from_sdk("UpdateItem case", e))?;
    Ok(())
}

/// Records on case `id` when it was first answered (a later answer leaves it), in the same
/// transaction as the answer's publication; it fails its condition when the case is gone.
pub fn first_answer(
    table: &str,
    id: &str,
    at: DateTime<Utc>,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, Error> {
    let update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(table)
        .key("id", s(id))
        .condition_expression("attribute_exists(id)")
        .update_expression("SET first_answered_at = if_not_exists(first_answered_at, :at)")
        .expression_attribute_values(":at", s(at.to_rfc3339()))
        .build()
        .map_err(|e| Error::caused("transaction item", e))?;
    Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder()
        .update(update)
        .build())
}

/// The items in `status` (`open`, `closed`), in the order they must be handled: the query,
/// for the caller to page.
pub fn by_status(client: &Client, table: &str, status: &str) -> QueryFluentBuilder {
    dynamo::query_eq(client, table, Some(BY_STATUS_INDEX), "status", status)
        .scan_index_forward(true)
}

/// The open cases (or questions: `table`) past their SLA at `now`, soonest due first, not
/// yet told of: the query, for the caller to page (`due_at` is the index's sort key: no
/// scan).
pub fn overdue(client: &Client, table: &str, now: DateTime<Utc>) -> QueryFluentBuilder {
    client
        .query()
        .table_name(table)
        .index_name(BY_STATUS_INDEX)
        .key_condition_expression("#status = :open AND due_at < :now")
        .filter_expression("attribute_not_exists(overdue_told_at)")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":open", s("open"))
        .expression_attribute_values(":now", s(crate::kit::clock::stamp(now)))
}

/// Records that case (or question) `id`'s lateness was told at `at`: `false` when it was
/// already, or it is closed meanwhile.
pub async fn overdue_told(
    client: &Client,
    table: &str,
    id: &str,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let marked = client
        .update_item()
        .table_name(table)
        .key("id", s(id))
        .update_expression("SET overdue_told_at = :at")
        .condition_expression(
            "attribute_exists(id) AND #status = :open AND attribute_not_exists(overdue_told_at)",
        )
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":open", s("open"))
        .expression_attribute_values(":at", s(at.to_rfc3339()))
        .send()
        .await;
    condition_held(marked, "UpdateItem case overdue")
}

/// What staff do to an open item.
#[derive(Debug, Clone)]
pub enum Change<'a> {
    Assign {
        assignee: &'a str,
        by: &'a str,
    },
    /// A private note (refused once the item holds [`MAX_NOTES`]).
    Note {
        text: &'a str,
        author: &'a str,
    },
    Close {
        by: &'a str,
        resolution: &'a str,
        /// An opportunity's (a case has none).
        outcome: Option<Outcome>,
    },
    /// An opportunity's stage and amount (a decimal and its currency), each when given; a
    /// closed one's too (a won deal's amount may be corrected).
    Deal {
        stage: Option<&'a str>,
        amount: Option<(&'a str, &'a str)>,
        by: &'a str,
    },
}

/// Makes `change` to item `id`: the item as it is afterwards, or `None` when its condition
/// did not hold (no such item, not open, notes full: the caller tells which).
pub async fn change(
    client: &Client,
    table: &str,
    id: &str,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Item>, Error> {
    let now = s(now.to_rfc3339());
    let request = client
        .update_item()
        .table_name(table)
        .key("id", s(id))
        .return_values(ReturnValue::AllNew);
    let request = match change {
        Change::Assign { assignee, by } => request
            .update_expression("SET assignee = :assignee, assigned_by = :by, assigned_at = :now")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_values(":assignee", s(assignee))
            .expression_attribute_values(":by", s(by))
            .expression_attribute_values(":now", now),
        Change::Note { text, author } => {
            let note = AttributeValue::M(HashMap::from([
                ("text".to_string(), s(text)),
                ("author".to_string(), s(author)),
                ("at".to_string(), now),
            ]));
            request
                .update_expression("SET notes = list_append(if_not_exists(notes, :empty), :note)")
                .condition_expression(
                    "attribute_exists(id) AND (attribute_not_exists(notes) OR size(notes) < :max)",
                )
                .expression_attribute_values(":note", AttributeValue::L(vec![note]))
                .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                .expression_attribute_values(":max", AttributeValue::N(MAX_NOTES.to_string()))
        }
        Change::Close {
            by,
            resolution,
            outcome,
        } => {
            let mut set = String::from(
                "SET #status = :closed, closed_by = :by, closed_at = :now, resolution = :resolution",
            );
            let mut request = request
                .condition_expression("attribute_exists(id) AND #status = :open")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":closed", s("closed"))
                .expression_attribute_values(":open", s("open"))
                .expression_attribute_values(":by", s(by))
                .expression_attribute_values(":now", now)
                .expression_attribute_values(":resolution", s(resolution));
            if let Some(outcome) = outcome {
                set.push_str(", outcome = :outcome");
                request = request.expression_attribute_values(":outcome", s(outcome.as_str()));
            }
            request.update_expression(set)
        }
        Change::Deal { stage, amount, by } => {
            let mut set = vec!["deal_updated_by = :by", "deal_updated_at = :now"];
            let mut request = request
                .condition_expression("attribute_exists(id)")
                .expression_attribute_values(":by", s(by))
                .expression_attribute_values(":now", now);
            if let Some(stage) = stage {
                set.push("stage = :stage");
                request = request.expression_attribute_values(":stage", s(stage));
            }
            if let Some((value, currency)) = amount {
                set.push("amount = :amount");
                set.push("currency = :currency");
                request = request
                    .expression_attribute_values(":amount", s(value))
                    .expression_attribute_values(":currency", s(currency));
            }
            request.update_expression(format!("SET {}", set.join(", ")))
        }
    };
    match request.send().await {
        Ok(out) => Ok(Some(out.attributes.unwrap_or_default())),
        Err(e) if is_condition_failure(&e) => Ok(None),
        Err(e) => Err(Error::from_sdk("UpdateItem work item", e)),
    }
}
