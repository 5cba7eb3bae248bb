//! `GET /admin/campaigns/{id}/stats`: what came of a relaunch campaign, read from the
//! counters the carts, the sender and the SES events add to (`StatsTable`,
//! `shared::relaunch::campaigns::stats`) with one Query on the campaign's partition, never a Scan.
//!
//! Every counter the marketers' dashboard shows is answered, zero when nothing was counted
//! yet; every step and variant the campaign defines is listed, and a counted one it no longer
//! defines (a step removed after sends) too, by step then variant. Revenue stays decimal, per
//! currency, as strings, in total and per day of conversion (`by_day`). Rates: opens and clicks per delivered email, conversions per sent
//! email; `null` while the denominator is zero.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use shared::kit::http::{self, Response};
use shared::relaunch::campaigns::stats::{self, CAMPAIGN_SK};
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::campaigns::Campaign;
use shared::Error;

pub struct Stats {
    pub client: Client,
    pub table: String,
    pub campaigns: CampaignStore,
}

/// One item's counters by name (numbers only; keys and other attributes left out).
pub type Counters = BTreeMap<String, Decimal>;

/// The counters of a step's variant, always answered (zero when absent).
const STEP_COUNTERS: [&str; 8] = [
    "sent",
    "delivered",
    "opened",
    "clicked",
    "unsubscribed",
    "bounced",
    "complained",
    "converted",
];

impl Stats {
    pub async fn get(&self, campaign_id: &str) -> Result<Response, Error> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(campaign_id.to_string()));
        let (campaign, items) = tokio::try_join!(
            self.campaigns.get(campaign_id),
            shared::kit::pages::query_all(query, "Query stats"),
        )?;
        let campaign = campaign.ok_or_else(|| Error::NotFound("no such campaign".into()))?;
        let items: Vec<(String, Counters)> = items.iter().filter_map(counters).collect();
        Ok(http::json(
            200,
            &report(campaign_id, &planned(&campaign), &items),
        ))
    }
}

/// The steps and variants a campaign defines.
pub fn planned(campaign: &Campaign) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for (n, step) in campaign.spec.steps.iter().enumerate() {
        out.push((n, "A"));
        if step.variant_b.is_some() {
            out.push((n, "B"));
        }
    }
    out
}

/// An item's sort key and numeric attributes (`None` without a sort key).
pub fn counters(item: &HashMap<String, AttributeValue>) -> Option<(String, Counters)> {
    let sk = item.get("sk")?.as_s().ok()?.clone();
    let numbers = item
        .iter()
        .filter_map(|(name, value)| {
            let n = value.as_n().ok()?.parse::<Decimal>().ok()?;
            Some((name.clone(), n))
        })
        .collect();
    Some((sk, numbers))
}

/// `step#{n}#{variant}` as (n, variant).
fn step_key(sk: &str) -> Option<(usize, String)> {
    let rest = sk.strip_prefix("step#")?;
    let (n, variant) = rest.split_once('#')?;
    Some((n.parse().ok()?, variant.to_string()))
}

/// The answer, from the campaign's steps and the counters read.
pub fn report(campaign_id: &str, planned: &[(usize, &str)], items: &[(String, Counters)]) -> Value {
    let none = Counters::new();
    let campaign = items
        .iter()
        .find(|(sk, _)| sk == CAMPAIGN_SK)
        .map(|(_, c)| c)
        .unwrap_or(&none);
    let mut steps: BTreeMap<(usize, String), &Counters> = planned
        .iter()
        .map(|(n, variant)| ((*n, variant.to_string()), &none))
        .collect();
    for (sk, c) in items {
        if let Some(key) = step_key(sk) {
            steps.insert(key, c);
        }
    }
    // Days in order (the sort key's date is ISO: text order is time order).
    let by_day: Vec<Value> = items
        .iter()
        .filter_map(|(sk, c)| Some((stats::day_of(sk)?, c)))
        .map(|(day, c)| {
            json!({"day": day.to_string(), "converted": count(c, "converted"), "revenue": revenue(c)})
        })
        .collect();
    json!({
        "campaign_id": campaign_id,
        "entered": count(campaign, "entered"),
        "converted": count(campaign, "converted"),
        "revenue": revenue(campaign),
        "by_day": by_day,
        "steps": steps
            .iter()
            .map(|((n, variant), c)| step(*n, variant, c))
            .collect::<Vec<_>>(),
    })
}

fn step(n: usize, variant: &str, c: &Counters) -> Value {
    let mut out = Map::new();
    out.insert("step".into(), json!(n));
    out.insert("variant".into(), json!(variant));
    for name in STEP_COUNTERS {
        out.insert(name.into(), json!(count(c, name)));
    }
    out.insert(
        "deferred".into(),
        grouped(
            c,
            "deferred_",
            shared::relaunch::campaigns::stats::DEFER_REASONS,
        ),
    );
    out.insert(
        "skipped".into(),
        grouped(
            c,
            "skipped_",
            shared::relaunch::campaigns::stats::SKIP_REASONS,
        ),
    );
    out.insert("revenue".into(), revenue(c));
    let (sent, delivered) = (count(c, "sent"), count(c, "delivered"));
    out.insert(
        "rates".into(),
        json!({
            "open": rate(count(c, "opened"), delivered),
            "click": rate(count(c, "clicked"), delivered),
            "conversion": rate(count(c, "converted"), sent),
        }),
    );
    Value::Object(out)
}

/// A counter as a whole number (0 when absent).
fn count(c: &Counters, name: &str) -> u64 {
    c.get(name).and_then(|n| n.trunc().to_u64()).unwrap_or(0)
}

/// `{prefix}{name}` counters as `{name: n}`: every one of `always`, and any other counted.
fn grouped(c: &Counters, prefix: &str, always: &[&str]) -> Value {
    let mut out: BTreeMap<&str, u64> = always.iter().map(|name| (*name, 0)).collect();
    for name in c.keys() {
        if let Some(rest) = name.strip_prefix(prefix) {
            out.insert(rest, count(c, name));
        }
    }
    json!(out)
}

/// `revenue_{CUR}` counters as `{CUR: "123.40"}`.
fn revenue(c: &Counters) -> Value {
    let out: BTreeMap<&str, String> = c
        .iter()
        .filter_map(|(name, amount)| Some((name.strip_prefix("revenue_")?, money(*amount))))
        .collect();
    json!(out)
}

/// A decimal amount with at least two decimals, none dropped (`123.4` → `"123.40"`).
pub fn money(amount: Decimal) -> String {
    let mut amount = amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount.to_string()
}

/// `part / whole` to four decimals; `null` when `whole` is zero.
fn rate(part: u64, whole: u64) -> Value {
    if whole == 0 {
        return Value::Null;
    }
    let ratio = (Decimal::from(part) / Decimal::from(whole)).round_dp(4);
    ratio.to_f64().map(Value::from).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sk: &str, counters: &[(&str, &str)]) -> HashMap<String, AttributeValue> {
        let mut item: HashMap<String, AttributeValue> = counters
            .iter()
            .map(|(k, v)| (k.to_string(), AttributeValue::N(v.to_string())))
            .collect();
        item.insert("pk".into(), AttributeValue::S("cmp_1".into()));
        item.insert("sk".into(), AttributeValue::S(sk.into()));
        item
    }

    fn read(items: &[HashMap<String, AttributeValue>]) -> Vec<(String, Counters)> {
        items.iter().filter_map(counters).collect()
    }

    #[test]
    fn revenue_should_be_given_per_day_in_order_and_not_taken_for_a_step() {
        let items = read(&[
            item(
                "day#2026-12-01",
                &[("converted", "1"), ("revenue_EUR", "59.9")],
            ),
            item(
                "day#2026-12-03",
                &[
                    ("converted", "2"),
                    ("revenue_EUR", "10"),
                    ("revenue_USD", "5"),
                ],
            ),
            item("step#0#A", &[("sent", "3")]),
        ]);
        let body = report("cmp_1", &[(0, "A")], &items);
        assert_eq!(
            body["by_day"],
            json!([
                {"day": "2026-12-01", "converted": 1, "revenue": {"EUR": "59.90"}},
                {"day": "2026-12-03", "converted": 2, "revenue": {"EUR": "10.00", "USD": "5.00"}},
            ])
        );
        assert_eq!(body["steps"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn counters_should_be_shaped_per_step_and_variant_with_zeros_for_the_missing() {
        let items = read(&[
            item(
                "campaign",
                &[
                    ("entered", "40"),
                    ("converted", "3"),
                    ("revenue_EUR", "123.4"),
                ],
            ),
            item(
                "step#0#A",
                &[
                    ("sent", "10"),
                    ("delivered", "8"),
                    ("opened", "4"),
                    ("clicked", "2"),
                    ("converted", "1"),
                    ("deferred_quiet", "5"),
                    ("skipped_converted", "2"),
                    ("skipped_something_new", "1"),
                    ("revenue_EUR", "59.9"),
                    ("revenue_USD", "12"),
                ],
            ),
        ]);
        let body = report("cmp_1", &[(0, "A"), (0, "B"), (1, "A")], &items);
        assert_eq!(body["campaign_id"], "cmp_1");
        assert_eq!(body["by_day"], json!([]));
        assert_eq!(body["entered"], 40);
        assert_eq!(body["converted"], 3);
        assert_eq!(body["revenue"], json!({"EUR": "123.40"}));
        let steps = body["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 3);
        let a = &steps[0];
        assert_eq!(
            (a["step"].as_u64(), a["variant"].as_str()),
            (Some(0), Some("A"))
        );
        assert_eq!(a["sent"], 10);
        assert_eq!(a["unsubscribed"], 0);
        assert_eq!(
            a["deferred"],
            json!({"cap": 0, "quiet": 5, "activity": 0, "ses": 0})
        );
        assert_eq!(a["skipped"]["converted"], 2);
        assert_eq!(a["skipped"]["no_consent"], 0);
        assert_eq!(a["skipped"]["something_new"], 1);
        assert_eq!(a["revenue"], json!({"EUR": "59.90", "USD": "12.00"}));
        assert_eq!(
            a["rates"],
            json!({"open": 0.5, "click": 0.25, "conversion": 0.1})
        );
        let b = &steps[1];
        assert_eq!(
            (b["step"].as_u64(), b["variant"].as_str()),
            (Some(0), Some("B"))
        );
        assert_eq!(b["sent"], 0);
        assert_eq!(b["revenue"], json!({}));
        assert_eq!(
            b["rates"],
            json!({"open": null, "click": null, "conversion": null})
        );
        assert_eq!(steps[2]["step"], 1);
    }

    #[test]
    fn steps_should_be_ordered_by_number_then_variant_including_counted_but_removed_ones() {
        let items = read(&[
            item("step#10#A", &[("sent", "1")]),
            item("step#2#B", &[("sent", "2")]),
            item("step#2#A", &[("sent", "3")]),
            item("not-a-step", &[("sent", "9")]),
        ]);
        let body = report("cmp_1", &[(0, "A")], &items);
        let order: Vec<(u64, &str)> = body["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["step"].as_u64().unwrap(), s["variant"].as_str().unwrap()))
            .collect();
        assert_eq!(order, [(0, "A"), (2, "A"), (2, "B"), (10, "A")]);
        assert_eq!(body["entered"], 0);
        assert_eq!(body["revenue"], json!({}));
    }

    #[test]
    fn money_should_keep_every_decimal_and_show_at_least_two() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("123.4")), "123.40");
        assert_eq!(money(d("1200")), "1200.00");
        assert_eq!(money(d("0.125")), "0.125");
        assert_eq!(money(d("19.990")), "19.99");
    }

    #[test]
    fn rates_should_round_to_four_decimals() {
        assert_eq!(rate(1, 3), json!(0.3333));
        assert_eq!(rate(2, 2), json!(1.0));
        assert_eq!(rate(0, 0), Value::Null);
    }
}
