//! The hosted classifier (a language model on Amazon Bedrock, identify's `hosted`): the
//! brand's switch and daily budget (`SettingsTable`, written by `/admin/classifier`, read by
//! identify through its settings cache), and the day's calls, fall-backs and cost
//! (`ReportsTable`, added to by identify, read by `/admin/reports/classifier` and by identify
//! before each call, to keep within the budget).
//!
//! | table | pk | sk | item |
//! | --- | --- | --- | --- |
//! | SettingsTable | `classifier` ([`PK`]) | `hosted` | [`HostedSetting`] |
//! | ReportsTable | `hosted` ([`COUNTERS_PK`]) | `{yyyy-mm-dd}` | `calls`, `hosted`, `cost_nano_usd`, `fallback_{reason}` counters |
//!
//! One counter item a day: the budget check is one `GetItem`, the report one `Query`. Each
//! contribution moves it at most once (a DynamoDB item takes 1,000 writes a second).
//! Costs are kept in billionths of a dollar, whole numbers: a token of the cheapest models
//! costs a few hundredths of a millionth of a dollar, and `ADD` on integers never rounds.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::kit::dynamo::{self, n, pk_sk, s};
use crate::Error;

/// `SettingsTable`'s partition of the classifier's settings.
pub const PK: &str = "classifier";
/// The hosted model's setting in it.
pub const SK: &str = "hosted";
/// `ReportsTable`'s partition of the hosted model's daily counters.
pub const COUNTERS_PK: &str = "hosted";

/// The highest daily budget staff may set: far above what a brand's conversations cost
/// with a small model (see docs/architecture.md#hosted-classifier), low enough that a typo
/// cannot run up a bill.
pub const MAX_DAILY_BUDGET_USD: f64 = 100.0;
/// The lowest: a cent a day (a thousandth of what a call costs would let none through, and
/// DynamoDB keeps no number below 1e-130).
pub const MIN_DAILY_BUDGET_USD: f64 = 0.01;
/// The budget shown before staff set one.
pub const DEFAULT_DAILY_BUDGET_USD: f64 = 1.0;

/// What staff set (`PUT /admin/classifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostedSpec {
    /// Whether contributions the brand's rules did not label go to the hosted model.
    pub enabled: bool,
    /// What the hosted model may cost in a day (UTC), in US dollars; past it, the built-in
    /// classifier decides until the next day.
    pub daily_budget_usd: f64,
}

impl HostedSpec {
    pub fn validate(&self) -> Result<(), Error> {
        let budget = self.daily_budget_usd;
        if !budget.is_finite() || !(MIN_DAILY_BUDGET_USD..=MAX_DAILY_BUDGET_USD).contains(&budget) {
            return Err(Error::validation(
                "daily_budget_usd",
                format!("from {MIN_DAILY_BUDGET_USD} to {MAX_DAILY_BUDGET_USD} (US dollars a day)"),
            ));
        }
        Ok(())
    }

    /// The budget in billionths of a dollar, as the counters keep costs.
    pub fn budget_nano_usd(&self) -> u64 {
        (self.daily_budget_usd * 1e9).round() as u64
    }
}

impl Default for HostedSpec {
    /// Off: nothing leaves AWS unless the brand turns it on.
    fn default() -> Self {
        HostedSpec {
            enabled: false,
            daily_budget_usd: DEFAULT_DAILY_BUDGET_USD,
        }
    }
}

/// The stored setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedSetting {
    #[serde(flatten)]
    pub spec: HostedSpec,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The setting as it is now (`None`: never set, so off).
pub async fn setting(
    client: &Client,
    settings_table: &str,
) -> Result<Option<HostedSetting>, Error> {
    crate::contracts::settings::get(client, settings_table, PK, SK).await
}

/// Saves the setting, whatever was there.
pub async fn save(
    client: &Client,
    settings_table: &str,
    setting: &HostedSetting,
) -> Result<(), Error> {
    let expect = crate::contracts::settings::Expect::Any;
    crate::contracts::settings::put(client, settings_table, PK, SK, setting, expect).await?;
    Ok(())
}

/// The setting among the items of partition [`PK`] (identify reads the partition whole,
/// through its cache): off when absent or unreadable.
pub fn from_partition(items: Vec<dynamo::Item>) -> HostedSpec {
    match crate::contracts::settings::among::<HostedSetting>(items, SK) {
        Some(Ok(setting)) => setting.spec,
        Some(Err(e)) => {
            // Admin validated what it stored; a setting that no longer reads turns the
            // hosted model off (nothing leaves AWS on a doubt), and says so.
            tracing::warn!(error = %e, "the hosted classifier's setting does not read: off");
            HostedSpec::default()
        }
        None => HostedSpec::default(),
    }
}

/// Why the built-in classifier decided instead of the hosted model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// The model answered something that is not exactly one of the labels.
    Refused,
    /// Bedrock throttled the call (`ThrottlingException`).
    Throttled,
    /// The call did not answer within the timeout.
    Timeout,
    /// Any other failure: access denied, validation, a model or service error, the network.
    Error,
    /// The day's budget is spent.
    Budget,
    /// A throttle or a timeout a moment ago: this instance lets Bedrock breathe for a while
    /// before calling again.
    Paused,
}

impl Fallback {
    pub const ALL: [Fallback; 6] = [
        Fallback::Refused,
        Fallback::Throttled,
        Fallback::Timeout,
        Fallback::Error,
        Fallback::Budget,
        Fallback::Paused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Refused => "refused",
            Fallback::Throttled => "throttled",
            Fallback::Timeout => "timeout",
            Fallback::Error => "error",
            Fallback::Budget => "budget",
            Fallback::Paused => "paused",
        }
    }

    fn counter(self) -> String {
        format!("fallback_{}", self.as_str())
    }
}

/// What one contribution adds to the day's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// A call was made to Bedrock (whatever came of it).
    pub called: bool,
    /// The hosted model's label was used.
    pub decided: bool,
    pub fallback: Option<Fallback>,
    /// What the call cost, from the tokens Bedrock counted.
    pub cost_nano_usd: u64,
}

/// The day's counter item (`day`, UTC).
fn day_key(day: NaiveDate) -> HashMap<String, AttributeValue> {
    pk_sk(COUNTERS_PK, day.format("%Y-%m-%d").to_string())
}

/// What the hosted model cost on `day` so far, in billionths of a dollar.
pub async fn spent(client: &Client, reports_table: &str, day: NaiveDate) -> Result<u64, Error> {
    let out = client
        .get_item()
        .table_name(reports_table)
        .set_key(Some(day_key(day)))
        .projection_expression("cost_nano_usd")
        .send()
        .await
        .map_err(|e| Error::from_sdk("GetItem hosted counters", e))?;
    Ok(out
        .item
        .as_ref()
        .and_then(|item| number(item, "cost_nano_usd"))
        .unwrap_or(0))
}

/// Adds `tally` to the counters of `day` (one `UpdateItem`; nothing when it is empty).
pub async fn count(
    client: &Client,
    reports_table: &str,
    day: NaiveDate,
    tally: Tally,
) -> Result<(), Error> {
    let mut adds: Vec<(String, u64)> = Vec::new();
    if tally.called {
        adds.push(("calls".into(), 1));
    }
    if tally.decided {
        adds.push(("hosted".into(), 1));
    }
    if let Some(reason) = tally.fallback {
        adds.push((reason.counter(), 1));
    }
    if tally.cost_nano_usd > 0 {
        adds.push(("cost_nano_usd".into(), tally.cost_nano_usd));
    }
    if adds.is_empty() {
        return Ok(());
    }
    let mut update = client
        .update_item()
        .table_name(reports_table)
        .set_key(Some(day_key(day)));
    let mut terms = Vec::new();
    for (i, (name, value)) in adds.into_iter().enumerate() {
        terms.push(format!("#c{i} :v{i}"));
        update = update
            .expression_attribute_names(format!("#c{i}"), name)
            .expression_attribute_values(format!(":v{i}"), n(value));
    }
    update
        .update_expression(format!("ADD {}", terms.join(", ")))
        .send()
        .await
        .map_err(|e| Error::from_sdk("UpdateItem hosted counters", e))?;
    Ok(())
}

/// One day's counters as read back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Day {
    pub day: String,
    /// Calls made to Bedrock.
    pub calls: u64,
    /// Contributions the hosted model labelled.
    pub hosted: u64,
    /// Contributions the built-in classifier labelled instead, by reason.
    pub fallbacks: std::collections::BTreeMap<&'static str, u64>,
    pub cost_nano_usd: u64,
}

/// The counters from day `from` to day `to`, both included: one Query, never a Scan.
pub async fn days(
    client: &Client,
    reports_table: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Day>, Error> {
    let query = client
        .query()
        .table_name(reports_table)
        .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
        .expression_attribute_values(":pk", s(COUNTERS_PK))
        .expression_attribute_values(":from", s(from.format("%Y-%m-%d").to_string()))
        .expression_attribute_values(":to", s(to.format("%Y-%m-%d").to_string()));
    let items = crate::kit::pages::query_all(query, "Query hosted counters").await?;
    Ok(items.iter().filter_map(day_of).collect())
}

fn day_of(item: &dynamo::Item) -> Option<Day> {
    let count = |name: &str| number(item, name).unwrap_or(0);
    Some(Day {
        day: dynamo::text(item, "sk")?.to_string(),
        calls: count("calls"),
        hosted: count("hosted"),
        fallbacks: Fallback::ALL
            .iter()
            .map(|f| (f.as_str(), count(&f.counter())))
            .collect(),
        cost_nano_usd: count("cost_nano_usd"),
    })
}

fn number(item: &dynamo::Item, name: &str) -> Option<u64> {
    item.get(name)?.as_n().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_should_be_at_least_a_cent_and_below_the_cap() {
        let spec = |daily_budget_usd| HostedSpec {
            enabled: true,
            daily_budget_usd,
        };
        assert!(spec(0.5).validate().is_ok());
        assert!(spec(MIN_DAILY_BUDGET_USD).validate().is_ok());
        assert!(spec(MAX_DAILY_BUDGET_USD).validate().is_ok());
        // 5e-324: a number DynamoDB could not even store.
        for bad in [
            0.0,
            5e-324,
            0.009,
            -1.0,
            MAX_DAILY_BUDGET_USD + 0.01,
            f64::NAN,
            f64::INFINITY,
        ] {
            let err = spec(bad).validate().unwrap_err();
            assert_eq!(err.field(), Some("daily_budget_usd"), "{bad}");
        }
        assert_eq!(spec(0.25).budget_nano_usd(), 250_000_000);
    }

    #[test]
    fn an_absent_or_unreadable_setting_should_be_off() {
        assert!(!from_partition(Vec::new()).enabled);
        let mut broken = pk_sk(PK, SK);
        broken.insert("enabled".into(), s("yes"));
        assert!(!from_partition(vec![broken]).enabled);
        let setting = HostedSetting {
            spec: HostedSpec {
                enabled: true,
                daily_budget_usd: 2.0,
            },
            updated_at: "2026-11-23T10:00:00Z".parse().unwrap(),
            updated_by: "staff".into(),
        };
        let mut item = dynamo::encode(&setting, "setting").unwrap();
        item.extend(pk_sk(PK, SK));
        assert_eq!(from_partition(vec![item]), setting.spec);
    }
}
