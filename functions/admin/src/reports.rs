//! `/admin/reports/contributions?from=&to=&by=platform|label|day|tag`: contributions counted
//! per day, platform, label and tag (the brand's rules' tags), read from the counters identify adds to in the same
//! transaction that records a contribution (`ReportsTable`, `shared::contracts::contributions`): one
//! Query over the range, never a Scan.
//!
//! `/admin/reports/answers?from=&to=&by=tag|channel`: published answers counted per tag
//! (visible and hidden) and per channel, from the counters the answers function adds to in
//! the transaction that records a publication (`shared::contracts::answers`).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use chrono::NaiveDate;
use serde_json::json;
use shared::contracts::contributions::{self, Counter};
use shared::kit::http::{self, Request, Response};
use shared::Error;

/// A year and a day: a year-on-year report fits in one call.
const MAX_DAYS: i64 = 366;

pub struct Reports {
    pub client: Client,
    pub table: String,
}

impl Reports {
    pub async fn contributions(&self, req: &Request) -> Result<Response, Error> {
        self.counted(
            req,
            "day",
            &[
                ("platform", "platform"),
                ("label", "label"),
                ("day", "day"),
                ("tag", "tag"),
                // Contributions per programme: testers', partners', affiliates'...
                ("type", "author_type"),
            ],
        )
        .await
    }

    pub async fn answers(&self, req: &Request) -> Result<Response, Error> {
        self.counted(
            req,
            "tag",
            &[("tag", "answer_tag"), ("channel", "answer_channel")],
        )
        .await
    }

    /// The report `by` one of `dimensions` (`by` value, counter partition), `default` when
    /// the request does not say.
    async fn counted(
        &self,
        req: &Request,
        default: &str,
        dimensions: &[(&str, &str)],
    ) -> Result<Response, Error> {
        let q = |name| http::query_param(req, name);
        let by = q("by").unwrap_or(default);
        let Some((_, partition)) = dimensions.iter().find(|(name, _)| *name == by) else {
            let names: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
            return Err(Error::validation(
                "by",
                format!("one of {}", names.join(", ")),
            ));
        };
        let (from, to) = range(req, MAX_DAYS)?;
        let counters = self.read(partition, from, to).await?;
        Ok(http::json(200, &report(by, from, to, &counters)))
    }

    /// How many answers were published from `from` to `to` (each counted once, by channel).
    pub async fn answers_published(&self, from: NaiveDate, to: NaiveDate) -> Result<u64, Error> {
        let counters = self.read("answer_channel", from, to).await?;
        Ok(counters.iter().map(|c| c.count).sum())
    }

    async fn read(&self, by: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<Counter>, Error> {
        contributions::report_counters(&self.client, &self.table, by, from, to).await
    }
}

/// The days `?from=&to=` (`YYYY-MM-DD`, both included, at most `max_days`).
pub fn range(req: &Request, max_days: i64) -> Result<(NaiveDate, NaiveDate), Error> {
    let from = day(http::query_param(req, "from"), "from")?;
    let to = day(http::query_param(req, "to"), "to")?;
    if to < from {
        return Err(Error::validation("to", "must not be before from"));
    }
    if (to - from).num_days() >= max_days {
        return Err(Error::validation(
            "to",
            format!("at most {max_days} days from `from`"),
        ));
    }
    Ok((from, to))
}

fn day(value: Option<&str>, field: &str) -> Result<NaiveDate, Error> {
    let value = value.ok_or_else(|| Error::validation(field, "required: a day, YYYY-MM-DD"))?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| Error::validation(field, "a day, YYYY-MM-DD"))
}

/// Totals per group (per day for `by=day`), and for platforms and labels the daily series.
pub fn report(by: &str, from: NaiveDate, to: NaiveDate, counters: &[Counter]) -> serde_json::Value {
    let total: u64 = counters.iter().map(|c| c.count).sum();
    let mut groups: BTreeMap<&str, u64> = BTreeMap::new();
    for c in counters {
        let key = if by == "day" { &c.day } else { &c.key };
        *groups.entry(key.as_str()).or_default() += c.count;
    }
    let mut groups: Vec<(&str, u64)> = groups.into_iter().collect();
    if by != "day" {
        // Largest first; days stay in calendar order.
        groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    }
    let mut body = json!({
        "by": by,
        "from": from.format("%Y-%m-%d").to_string(),
        "to": to.format("%Y-%m-%d").to_string(),
        "total": total,
        "groups": groups.iter().map(|(key, count)| json!({"key": key, "count": count})).collect::<Vec<_>>(),
    });
    if by != "day" {
        body["series"] = counters
            .iter()
            .map(|c| json!({"day": c.day, "key": c.key, "count": c.count}))
            .collect();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(day: &str, key: &str, count: u64) -> Counter {
        Counter {
            day: day.into(),
            key: key.into(),
            count,
        }
    }

    #[test]
    fn groups_should_add_up_the_days_largest_first() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let body = report(
            "label",
            d("2026-11-01"),
            d("2026-11-30"),
            &[
                c("2026-11-02", "praise", 2),
                c("2026-11-02", "incident", 1),
                c("2026-11-03", "incident", 4),
            ],
        );
        assert_eq!(body["total"], 7);
        assert_eq!(
            body["groups"],
            json!([{"key": "incident", "count": 5}, {"key": "praise", "count": 2}])
        );
        assert_eq!(body["series"].as_array().unwrap().len(), 3);
        let days = report(
            "day",
            d("2026-11-01"),
            d("2026-11-30"),
            &[c("2026-11-02", "", 3), c("2026-11-05", "", 1)],
        );
        assert_eq!(
            days["groups"],
            json!([{"key": "2026-11-02", "count": 3}, {"key": "2026-11-05", "count": 1}])
        );
        assert!(days.get("series").is_none());
    }
}
