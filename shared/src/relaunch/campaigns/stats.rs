//! Campaign counters (`StatsTable`), added to as things happen, read by
//! `/admin/campaigns/{id}/stats` with one Query (never a Scan).
//!
//! | item | pk | sk |
//! | --- | --- | --- |
//! | the campaign's carts | `{campaign_id}` | `campaign` (`entered`) |
//! | a step's variant | `{campaign_id}` | `step#{n}#{A\|B}` (`sent`, `deferred_cap`, `deferred_quiet`, `skipped_{reason}`, `delivered`, `opened`, `clicked`, `unsubscribed`, `bounced`, `complained`, `converted`, `revenue_{CUR}`) |
//! | a day's conversions | `{campaign_id}` | `day#{YYYY-MM-DD}` (UTC: `converted`, `revenue_{CUR}`), for revenue over time |

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use rust_decimal::Decimal;

use crate::Error;

pub const CAMPAIGN_SK: &str = "campaign";

/// Why a step went without an email (`skipped_{reason}`): every reason the sender counts,
/// which `/admin/campaigns/{id}/stats` always answers (zero when none).
pub const SKIP_REASONS: &[&str] = &[
    "converted",
    "emptied",
    "cart_gone",
    "moved_on",
    "campaign_deleted",
    "campaign_paused",
    "campaign_ended",
    "step_removed",
    "not_sendable",
    "suppressed",
    "unsubscribed",
    "no_consent",
    "template_error",
    "ses_refused",
    "uncertain",
];

/// Why a step waited (`deferred_{why}`).
pub const DEFER_REASONS: &[&str] = &["cap", "quiet", "activity", "ses"];

pub fn step_sk(step: usize, variant: &str) -> String {
    format!("step#{step}#{variant}")
}

/// The item of the conversions counted on `at`'s day (UTC).
pub fn day_sk(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("day#{}", at.format("%Y-%m-%d"))
}

/// `day#{YYYY-MM-DD}` as its date.
pub fn day_of(sk: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(sk.strip_prefix("day#")?, "%Y-%m-%d").ok()
}

/// `ADD` of each counter on one item, as an update to send or to put in a transaction.
pub fn increments(
    table: &str,
    campaign_id: &str,
    sk: &str,
    counters: &[(&str, Decimal)],
) -> Result<Update, Error> {
    let mut expression = Vec::new();
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", AttributeValue::S(campaign_id.to_string()))
        .key("sk", AttributeValue::S(sk.to_string()));
    for (i, (name, amount)) in counters.iter().enumerate() {
        expression.push(format!("#c{i} :v{i}"));
        update = update
            .expression_attribute_names(format!("#c{i}"), *name)
            .expression_attribute_values(
                format!(":v{i}"),
                AttributeValue::N(amount.normalize().to_string()),
            );
    }
    update
        .update_expression(format!("ADD {}", expression.join(", ")))
        .build()
        .map_err(|e| Error::caused("stats update", e))
}

/// Adds to the counters now (outside a transaction).
pub async fn add(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    campaign_id: &str,
    sk: &str,
    counters: &[(&str, Decimal)],
) -> Result<(), Error> {
    let u = increments(table, campaign_id, sk, counters)?;
    client
        .update_item()
        .table_name(u.table_name())
        .set_key(Some(u.key().clone()))
        .update_expression(u.update_expression())
        .set_expression_attribute_names(u.expression_attribute_names().cloned())
        .set_expression_attribute_values(u.expression_attribute_values().cloned())
        .send()
        .await
        .map_err(|e| Error::from_sdk("UpdateItem stats", e))?;
    Ok(())
}
