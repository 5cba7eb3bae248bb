//! `/admin/reports/revenue?from=&to=`: what conversations brought, and what it took.
//!
//! - Opportunities won (closed `won` in the range, by staff or by the CRM's webhook), with
//!   the amount each carries: per currency, per ISO week of the close, per platform, per
//!   source; how many were won without an amount.
//! - Relaunch campaigns: their attributed revenue per currency and the emails they sent,
//!   since each began (the campaigns' counters are not dated; a campaign's own stats give
//!   its steps).
//! - Referrals: the orders referred customers placed in the range (by `placed_at`, the
//!   `ByKind` index of `ReferralsTable`), per currency and ISO week, and the rewards they
//!   earn; a rejected conversion is left out, a flagged one counted and said so.
//! - The cost side, given by the caller: answers published in the range, customer
//!   service's time to the first answer and to close on the cases opened in it.
//!
//! Amounts stay decimal, per currency, as strings: they are never added across currencies.
//! Read from the opportunities themselves (`ByStatus`, `closed`, filtered on the outcome),
//! one Query per campaign's totals.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use shared::contracts::work;
use shared::kit::dynamo::{self, s, Item};
use shared::kit::http::{self, Response};
use shared::relaunch::campaigns::stats::CAMPAIGN_SK;
use shared::relaunch::campaigns::store::CampaignStore;
use shared::Error;

/// A year and a bit: opportunities are few, and a year is what a budget is judged on.
pub const MAX_DAYS: i64 = 400;

pub struct Revenue {
    pub client: Client,
    pub opportunities_table: String,
    pub stats_table: String,
    pub referrals_table: String,
    pub campaigns: CampaignStore,
}

/// Sums per currency.
type PerCurrency = BTreeMap<String, Decimal>;

impl Revenue {
    /// The report from `from` to `to`, with `cost` (what conversations took) as given.
    pub async fn report(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        cost: Value,
    ) -> Result<Response, Error> {
        let query = work::by_status(&self.client, &self.opportunities_table, "closed")
            .filter_expression("outcome = :won")
            .expression_attribute_values(":won", s("won"));
        let won = shared::kit::pages::query_all(query, "Query opportunities won").await?;
        let (start, end) = bounds(from, to);
        let query = shared::contracts::referrals::conversions_placed(
            &self.client,
            &self.referrals_table,
            start,
            end,
        );
        let referred = shared::kit::pages::query_all(query, "Query referral conversions").await?;
        let mut body = json!({
            "from": from.to_string(),
            "to": to.to_string(),
            "opportunities": opportunities(&won, from, to),
            "relaunch": self.relaunch().await?,
            "referrals": referrals(&referred),
            "cost": cost,
        });
        body["currencies_never_added"] = json!(true);
        Ok(http::json(200, &body))
    }

    /// Every campaign's attributed revenue and emails sent, added up.
    async fn relaunch(&self) -> Result<Value, Error> {
        let campaigns = self.campaigns.all().await?;
        let mut revenue = PerCurrency::new();
        let (mut sent, mut converted) = (Decimal::ZERO, Decimal::ZERO);
        for campaign in &campaigns {
            let totals = self
                .client
                .query()
                .table_name(&self.stats_table)
                .key_condition_expression("pk = :pk AND sk = :sk")
                .expression_attribute_values(":pk", AttributeValue::S(campaign.id.clone()))
                .expression_attribute_values(":sk", AttributeValue::S(CAMPAIGN_SK.into()))
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query campaign totals", e))?;
            for item in totals.items() {
                let Some((_, counters)) = crate::stats::counters(item) else {
                    continue;
                };
                for (name, value) in counters {
                    match name.as_str() {
                        "converted" => converted += value,
                        _ => {
                            if let Some(currency) = name.strip_prefix("revenue_") {
                                *revenue.entry(currency.to_string()).or_default() += value;
                            }
                        }
                    }
                }
            }
            // Emails are counted per step: the campaign's totals item does not hold them.
            let steps = self
                .client
                .query()
                .table_name(&self.stats_table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :step)")
                .expression_attribute_values(":pk", AttributeValue::S(campaign.id.clone()))
                .expression_attribute_values(":step", AttributeValue::S("step#".into()))
                .send()
                .await
                .map_err(|e| Error::from_sdk("Query campaign steps", e))?;
            for item in steps.items() {
                if let Some((_, counters)) = crate::stats::counters(item) {
                    sent += counters.get("sent").copied().unwrap_or_default();
                }
            }
        }
        Ok(json!({
            "campaigns": campaigns.len(),
            "revenue": strings(&revenue),
            "orders": converted.to_string(),
            "emails_sent": sent.to_string(),
            "since": "each campaign's start",
        }))
    }
}

/// The range's first instant and the instant after its last day (whole days, UTC).
fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (start, start + Duration::days((to - from).num_days() + 1))
}

/// `2026-W49`: the ISO week of `at`.
fn week_of(at: DateTime<Utc>) -> String {
    let week = at.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The referral conversions of the range (already queried on `placed_at`), added up:
/// the orders' totals and the rewards they earn, per currency, by week of the order.
pub fn referrals(items: &[Item]) -> Value {
    let (mut revenue, mut rewards) = (PerCurrency::new(), PerCurrency::new());
    let mut by_week: BTreeMap<String, PerCurrency> = BTreeMap::new();
    let (mut orders, mut flagged) = (0u64, 0u64);
    for item in items {
        let state = dynamo::text(item, "reward_state").unwrap_or_default();
        let (Some(currency), Some(placed_at)) =
            (dynamo::text(item, "currency"), time(item, "placed_at"))
        else {
            continue;
        };
        if state == "rejected" {
            continue;
        }
        orders += 1;
        flagged += u64::from(state == "flagged");
        let decimal = |name| {
            dynamo::text(item, name)
                .and_then(|v| v.parse::<Decimal>().ok())
                .unwrap_or_default()
        };
        *revenue.entry(currency.to_string()).or_default() += decimal("total");
        *rewards.entry(currency.to_string()).or_default() += decimal("reward");
        *by_week
            .entry(week_of(placed_at))
            .or_default()
            .entry(currency.to_string())
            .or_default() += decimal("total");
    }
    json!({
        "orders": orders,
        "flagged": flagged,
        "revenue": strings(&revenue),
        "rewards": strings(&rewards),
        "by_week": grouped(&by_week),
    })
}

/// Sums per group, each per currency, as strings.
fn grouped(groups: &BTreeMap<String, PerCurrency>) -> Value {
    groups
        .iter()
        .map(|(key, sums)| (key.clone(), strings(sums)))
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

/// The won opportunities closed from `from` to `to` (whole days, UTC), added up.
pub fn opportunities(items: &[Item], from: NaiveDate, to: NaiveDate) -> Value {
    let (start, end) = bounds(from, to);
    let mut total = PerCurrency::new();
    let mut by_week: BTreeMap<String, PerCurrency> = BTreeMap::new();
    let mut by_platform: BTreeMap<String, PerCurrency> = BTreeMap::new();
    let mut by_source: BTreeMap<String, PerCurrency> = BTreeMap::new();
    let (mut won, mut without_amount) = (0u64, 0u64);
    for item in items {
        let Some(closed_at) = time(item, "closed_at").filter(|t| *t >= start && *t < end) else {
            continue;
        };
        won += 1;
        let amount = dynamo::text(item, "amount").and_then(|a| a.parse::<Decimal>().ok());
        let (Some(amount), Some(currency)) = (amount, dynamo::text(item, "currency")) else {
            without_amount += 1;
            continue;
        };
        let week = week_of(closed_at);
        let text = |name| dynamo::text(item, name).unwrap_or("-").to_string();
        for (group, key) in [
            (&mut by_week, week),
            (&mut by_platform, text("platform")),
            (&mut by_source, text("source_id")),
        ] {
            *group
                .entry(key)
                .or_default()
                .entry(currency.to_string())
                .or_default() += amount;
        }
        *total.entry(currency.to_string()).or_default() += amount;
    }
    json!({
        "won": won,
        "won_without_amount": without_amount,
        "revenue": strings(&total),
        "by_week": grouped(&by_week),
        "by_platform": grouped(&by_platform),
        "by_source": grouped(&by_source),
    })
}

fn strings(sums: &PerCurrency) -> Value {
    sums.iter()
        .map(|(currency, sum)| (currency.clone(), json!(sum.normalize().to_string())))
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

fn time(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    dynamo::text(item, name)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(closed_at: &str, amount: Option<(&str, &str)>, platform: &str) -> Item {
        let mut item: Item = [
            ("id", "opp_x"),
            ("status", "closed"),
            ("outcome", "won"),
            ("closed_at", closed_at),
            ("platform", platform),
            ("source_id", "src_a"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), s(v)))
        .collect();
        if let Some((amount, currency)) = amount {
            item.insert("amount".into(), s(amount));
            item.insert("currency".into(), s(currency));
        }
        item
    }

    #[test]
    fn won_opportunities_should_add_up_per_currency_week_and_platform_never_across_currencies() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let items = [
            won("2026-12-01T10:00:00+00:00", Some(("1250.50", "EUR")), "x"),
            won("2026-12-02T23:59:59Z", Some(("100", "EUR")), "meta"),
            won("2026-12-03T08:00:00Z", Some(("40", "USD")), "x"),
            won("2026-12-03T09:00:00Z", None, "x"),
            // Out of the range.
            won("2026-11-30T23:59:59Z", Some(("999", "EUR")), "x"),
            won("2026-12-08T00:00:00Z", Some(("999", "EUR")), "x"),
        ];
        let report = opportunities(&items, day("2026-12-01"), day("2026-12-07"));
        assert_eq!(report["won"], 4);
        assert_eq!(report["won_without_amount"], 1);
        assert_eq!(report["revenue"], json!({"EUR": "1350.5", "USD": "40"}));
        assert_eq!(
            report["by_week"],
            json!({"2026-W49": {"EUR": "1350.5", "USD": "40"}})
        );
        assert_eq!(
            report["by_platform"],
            json!({"meta": {"EUR": "100"}, "x": {"EUR": "1250.5", "USD": "40"}})
        );
        assert_eq!(report["by_source"]["src_a"]["EUR"], "1350.5");
    }

    fn conversion(placed_at: &str, total: &str, reward: &str, currency: &str, state: &str) -> Item {
        [
            ("placed_at", placed_at),
            ("total", total),
            ("reward", reward),
            ("currency", currency),
            ("reward_state", state),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), s(v)))
        .collect()
    }

    #[test]
    fn referral_orders_should_add_up_per_currency_and_week_without_the_rejected() {
        let items = [
            conversion("2026-12-01T10:00:00Z", "59.90", "5.99", "EUR", "pending"),
            conversion("2026-12-08T10:00:00Z", "100", "10", "EUR", "flagged"),
            conversion("2026-12-08T11:00:00Z", "20", "2", "USD", "paid"),
            conversion("2026-12-09T10:00:00Z", "500", "50", "EUR", "rejected"),
        ];
        let report = referrals(&items);
        assert_eq!(
            (report["orders"].clone(), report["flagged"].clone()),
            (json!(3), json!(1))
        );
        assert_eq!(report["revenue"], json!({"EUR": "159.9", "USD": "20"}));
        assert_eq!(report["rewards"], json!({"EUR": "15.99", "USD": "2"}));
        assert_eq!(
            report["by_week"],
            json!({"2026-W49": {"EUR": "59.9"}, "2026-W50": {"EUR": "100", "USD": "20"}})
        );
    }
}
