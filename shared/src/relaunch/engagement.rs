//! What happened to a relaunch email after it left: recorded once on the email
//! (`EmailsTable`, `{what}_at`) and counted once in its step's stats, in one transaction,
//! so a duplicate event (SES retries, a second click) changes nothing.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::relaunch::campaigns::stats;
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engagement {
    Delivered,
    Opened,
    Clicked,
    Unsubscribed,
    Bounced,
    Complained,
}

impl Engagement {
    /// The counter in the step's stats item.
    pub fn counter(self) -> &'static str {
        match self {
            Engagement::Delivered => "delivered",
            Engagement::Opened => "opened",
            Engagement::Clicked => "clicked",
            Engagement::Unsubscribed => "unsubscribed",
            Engagement::Bounced => "bounced",
            Engagement::Complained => "complained",
        }
    }

    /// The email's attribute holding when it first happened.
    pub fn attribute(self) -> String {
        format!("{}_at", self.counter())
    }
}

/// The fields of a relaunch email that engagement reads.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailRef {
    pub campaign_id: String,
    pub step: usize,
    pub variant: String,
    pub contact_id: String,
    pub cart_id: Option<String>,
}

/// The relaunch email `email_id`, if there is one (a verification email, or one erased
/// since, is not).
pub async fn email(
    client: &aws_sdk_dynamodb::Client,
    emails_table: &str,
    email_id: &str,
) -> Result<Option<EmailRef>, Error> {
    let key = crate::kit::dynamo::key("id", email_id);
    let Some(item) = crate::kit::dynamo::get_item(client, emails_table, key, "email").await? else {
        return Ok(None);
    };
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    if text("kind").as_deref() != Some(super::EMAIL_KIND) {
        return Ok(None);
    }
    let step = item
        .get("step")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok());
    match (
        text("campaign_id"),
        step,
        text("variant"),
        text("contact_id"),
    ) {
        (Some(campaign_id), Some(step), Some(variant), Some(contact_id)) => Ok(Some(EmailRef {
            campaign_id,
            step,
            variant,
            contact_id,
            cart_id: text("cart_id"),
        })),
        _ => Err(Error::Internal(format!(
            "relaunch email {email_id} lacks its campaign, step or variant"
        ))),
    }
}

/// Records `what` on the email and its step's stats, the first time only: `false` when it
/// was already recorded.
pub async fn record(
    client: &aws_sdk_dynamodb::Client,
    emails_table: &str,
    stats_table: &str,
    email_id: &str,
    email: &EmailRef,
    what: Engagement,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let on_email = Update::builder()
        .table_name(emails_table)
        .key("id", AttributeValue::S(email_id.to_string()))
        .update_expression("SET #at = :at")
        .condition_expression("attribute_exists(id) AND attribute_not_exists(#at)")
        .expression_attribute_names("#at", what.attribute())
        .expression_attribute_values(":at", AttributeValue::S(crate::kit::clock::stamp(at)))
        .build()
        .map_err(|e| Error::caused("engagement update", e))?;
    let counted = stats::increments(
        stats_table,
        &email.campaign_id,
        &stats::step_sk(email.step, &email.variant),
        &[(what.counter(), Decimal::ONE)],
    )?;
    let written = client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().update(on_email).build())
        .transact_items(TransactWriteItem::builder().update(counted).build())
        .send()
        .await;
    // Cancelled by the email's condition: recorded before.
    let first =
        crate::kit::dynamo::transaction_held(written, "TransactWriteItems engagement")?.is_none();
    // The funnel's clicks, once per email whichever function saw the click first.
    if first && what == Engagement::Clicked {
        crate::kit::metrics::count("RelaunchClicked", 1, &[], at);
    }
    Ok(first)
}
