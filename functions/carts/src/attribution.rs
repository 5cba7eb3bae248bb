//! Which relaunch email an order is owed to: the last one the contact clicked or opened
//! before ordering, within its campaign's attribution window (5 days unless the campaign
//! says otherwise). Read from the contact's emails (`EmailsTable`'s `ByContact` index), one
//! Query per order.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use shared::contracts::carts::Attribution;
use shared::relaunch::campaigns::Campaign;
use shared::Error;

/// A relaunch email as attribution reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Engaged {
    pub email_id: String,
    pub campaign_id: String,
    pub step: usize,
    pub variant: String,
    pub sent_at: DateTime<Utc>,
    /// The last of its open and its click.
    pub engaged_at: DateTime<Utc>,
}

/// The longest window a campaign may set (`attribution_window_days` is 1 to 30).
const LONGEST_WINDOW_DAYS: i64 = 30;
const DEFAULT_WINDOW_DAYS: u32 = 5;
const CLOCK_SKEW_MINUTES: i64 = 2;

/// The email the order placed at `placed_at` is owed to, if any.
pub fn choose(
    emails: &[Engaged],
    campaigns: &[Campaign],
    placed_at: DateTime<Utc>,
) -> Option<Attribution> {
    let window = |campaign_id: &str| {
        let days = campaigns
            .iter()
            .find(|c| c.id == campaign_id)
            .map_or(DEFAULT_WINDOW_DAYS, |c| c.spec.attribution_window_days);
        Duration::days(i64::from(days))
    };
    // The shop's clock is not ours, and its times are whole seconds: an engagement a little
    // "after" the order still came before it.
    let skew = Duration::minutes(CLOCK_SKEW_MINUTES);
    emails
        .iter()
        .filter(|e| {
            e.engaged_at <= placed_at + skew && placed_at - e.engaged_at <= window(&e.campaign_id)
        })
        .max_by_key(|e| e.engaged_at)
        .map(|e| Attribution {
            message_id: e.email_id.clone(),
            campaign_id: e.campaign_id.clone(),
            step: e.step,
            variant: e.variant.clone(),
        })
}

fn engaged(item: &HashMap<String, AttributeValue>) -> Option<Engaged> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let time = |name: &str| text(name).and_then(|t| t.parse::<DateTime<Utc>>().ok());
    if text("kind")? != shared::relaunch::EMAIL_KIND {
        return None;
    }
    let engaged_at = [time("opened_at"), time("clicked_at")]
        .into_iter()
        .flatten()
        .max()?;
    Some(Engaged {
        email_id: text("id")?.clone(),
        campaign_id: text("campaign_id")?.clone(),
        step: item.get("step")?.as_n().ok()?.parse().ok()?,
        variant: text("variant")?.clone(),
        sent_at: time("sent_at")?,
        engaged_at,
    })
}

/// The contact's relaunch emails sent in the longest window before `placed_at` that were
/// opened or clicked.
pub async fn engaged_emails(
    client: &aws_sdk_dynamodb::Client,
    emails_table: &str,
    contact_id: &str,
    placed_at: DateTime<Utc>,
) -> Result<Vec<Engaged>, Error> {
    let since = placed_at - Duration::days(LONGEST_WINDOW_DAYS);
    let query = client
        .query()
        .table_name(emails_table)
        .index_name("ByContact")
        .key_condition_expression("contact_id = :c AND sent_at >= :since")
        .expression_attribute_values(":c", AttributeValue::S(contact_id.to_string()))
        .expression_attribute_values(
            ":since",
            AttributeValue::S(shared::kit::clock::stamp(since)),
        );
    Ok(
        shared::kit::pages::query_all(query, "Query emails by contact")
            .await?
            .iter()
            .filter_map(engaged)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn email(id: &str, engaged: &str) -> Engaged {
        Engaged {
            email_id: id.into(),
            campaign_id: "cmp_1".into(),
            step: 0,
            variant: "A".into(),
            sent_at: at("2026-11-20T10:00:00Z"),
            engaged_at: at(engaged),
        }
    }

    #[test]
    fn the_last_engaged_email_within_the_window_should_get_the_order() {
        let emails = [
            email("eml_1", "2026-11-20T11:00:00Z"),
            email("eml_2", "2026-11-21T11:00:00Z"),
            email("eml_after", "2026-11-22T10:05:00Z"),
        ];
        let placed = at("2026-11-22T10:00:00Z");
        assert_eq!(choose(&emails, &[], placed).unwrap().message_id, "eml_2");
        // Five days by default: an engagement six days before the order is not owed it.
        assert!(choose(&emails[..1], &[], at("2026-11-26T12:00:00Z")).is_none());
    }
}
