//! `/admin/classifier`: whether contributions the brand's rules did not label go to the
//! hosted model (Amazon Bedrock) and what it may cost a day; `/admin/reports/classifier`:
//! its calls, fall-backs by reason and cost per day. The setting and the counters live in
//! `shared::contracts::hosted`; identify reads the one and adds to the other.

use aws_sdk_dynamodb::Client;
use serde_json::json;
use shared::contracts::hosted::{self, HostedSetting, HostedSpec};
use shared::kit::auth::Caller;
use shared::kit::http::{self, Request, Response};
use shared::Error;

/// A year and a day, as the other reports.
const MAX_DAYS: i64 = 366;

pub struct Classifier {
    pub client: Client,
    pub settings_table: String,
    pub reports_table: String,
    /// The model identify calls (`HOSTED_MODEL_ID`): staff see where text would go.
    pub model_id: String,
    pub clock: shared::kit::clock::Clock,
}

impl Classifier {
    pub async fn get(&self) -> Result<Response, Error> {
        let stored = hosted::setting(&self.client, &self.settings_table).await?;
        Ok(http::json(200, &self.body(stored.as_ref())))
    }

    pub async fn put(&self, req: &Request, caller: &Caller) -> Result<Response, Error> {
        let spec: HostedSpec = http::json_body(req)?;
        spec.validate()?;
        let setting = HostedSetting {
            spec,
            updated_at: self.clock.now(),
            updated_by: caller.subject.clone(),
        };
        hosted::save(&self.client, &self.settings_table, &setting).await?;
        tracing::info!(
            enabled = setting.spec.enabled,
            daily_budget_usd = setting.spec.daily_budget_usd,
            "hosted classifier setting saved"
        );
        Ok(http::json(200, &self.body(Some(&setting))))
    }

    /// `?from=&to=`: the days' calls, labels given, fall-backs by reason and cost.
    pub async fn report(&self, req: &Request) -> Result<Response, Error> {
        let (from, to) = crate::reports::range(req, MAX_DAYS)?;
        let days = hosted::days(&self.client, &self.reports_table, from, to).await?;
        Ok(http::json(200, &report(from, to, &days)))
    }

    fn body(&self, stored: Option<&HostedSetting>) -> serde_json::Value {
        let spec = stored.map(|s| s.spec.clone()).unwrap_or_default();
        json!({
            "enabled": spec.enabled,
            "daily_budget_usd": spec.daily_budget_usd,
            "min_daily_budget_usd": hosted::MIN_DAILY_BUDGET_USD,
            "max_daily_budget_usd": hosted::MAX_DAILY_BUDGET_USD,
            "model_id": self.model_id,
            "updated_at": stored.map(|s| s.updated_at),
            "updated_by": stored.map(|s| s.updated_by.as_str()),
        })
    }
}

fn usd(nano: u64) -> f64 {
    nano as f64 / 1e9
}

/// Each day with counters, and their totals.
pub fn report(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    days: &[hosted::Day],
) -> serde_json::Value {
    let mut total = hosted::Day::default();
    for day in days {
        total.calls += day.calls;
        total.hosted += day.hosted;
        total.cost_nano_usd += day.cost_nano_usd;
        for (reason, count) in &day.fallbacks {
            *total.fallbacks.entry(reason).or_default() += count;
        }
    }
    let shown = |d: &hosted::Day| {
        json!({
            "calls": d.calls,
            "hosted": d.hosted,
            "fallbacks": d.fallbacks,
            "cost_usd": usd(d.cost_nano_usd),
        })
    };
    let mut totals = shown(&total);
    totals["fallbacks"] = json!(hosted::Fallback::ALL
        .iter()
        .map(|f| (
            f.as_str(),
            total.fallbacks.get(f.as_str()).copied().unwrap_or(0)
        ))
        .collect::<std::collections::BTreeMap<_, _>>());
    json!({
        "from": from.format("%Y-%m-%d").to_string(),
        "to": to.format("%Y-%m-%d").to_string(),
        "total": totals,
        "days": days.iter().map(|d| {
            let mut shown = shown(d);
            shown["day"] = json!(d.day);
            shown
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_should_add_up_the_days_and_show_dollars() {
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let day = |name: &str, calls, cost_nano_usd, timeouts| hosted::Day {
            day: name.into(),
            calls,
            hosted: calls - timeouts,
            fallbacks: [("timeout", timeouts), ("budget", 0)].into(),
            cost_nano_usd,
        };
        let body = report(
            d("2026-11-01"),
            d("2026-11-30"),
            &[
                day("2026-11-02", 10, 250_000, 1),
                day("2026-11-03", 4, 50_000, 0),
            ],
        );
        assert_eq!(body["total"]["calls"], 14);
        assert_eq!(body["total"]["hosted"], 13);
        assert_eq!(body["total"]["fallbacks"]["timeout"], 1);
        assert_eq!(body["total"]["fallbacks"]["refused"], 0);
        assert_eq!(body["total"]["cost_usd"], 0.0003);
        assert_eq!(body["days"][0]["day"], "2026-11-02");
        assert_eq!(body["days"][1]["cost_usd"], 0.00005);
    }
}
