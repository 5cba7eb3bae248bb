//! Staff's corrections of labels (`shared::contracts::contributions::corrections`): a
//! relabel (`POST /admin/contributions/{id}/label`), what a moderation decision or a work
//! item closed with a label says, and the report that measures the classifier on them
//! (`GET /admin/reports/corrections`).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::contracts::contributions::corrections::{
    Corrected, CorrectionKind, Example, Verdict, MAX_EXAMPLES,
};
use shared::contracts::contributions::ContributionStore;
use shared::contracts::rules::Label;
use shared::kit::auth::Caller;
use shared::kit::http::{self, Request, Response};
use shared::Error;

#[derive(Debug, Clone)]
pub struct Corrections {
    pub contributions: ContributionStore,
    pub clock: shared::kit::clock::Clock,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Relabel {
    label: String,
}

/// A label staff named in `field`.
pub fn label(name: &str, field: &str) -> Result<Label, Error> {
    Label::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
        Error::validation(field, format!("one of {}", names.join(", ")))
    })
}

impl Corrections {
    /// `{"label": "praise"}`: the contribution and its correction after.
    pub async fn relabel(
        &self,
        req: &Request,
        id: &str,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let Relabel { label: name } = http::json_body(req)?;
        let label = label(&name, "label")?;
        let corrected = self
            .record(id, Verdict::Is(label), CorrectionKind::Relabel, caller)
            .await?;
        let (Corrected::Kept(correction) | Corrected::RelabelStands(correction)) = corrected;
        tracing::info!(contribution_id = %id, label = label.as_str(), was = correction.was.as_str(), "relabelled");
        Ok(http::json(
            200,
            &json!({"id": id, "correction": correction}),
        ))
    }

    /// Keeps what staff said of contribution `id`.
    pub async fn record(
        &self,
        id: &str,
        verdict: Verdict,
        how: CorrectionKind,
        caller: &Caller,
    ) -> Result<Corrected, Error> {
        self.contributions
            .correct(id, verdict, how, &caller.subject, self.clock.now())
            .await
    }

    /// Per label, precision (of what Liaison said was it, how much staff agreed) and recall
    /// (of what staff said was it, how much Liaison had found), overall and per week (from
    /// Monday), over the newest corrections: the ones the brand's model learns from.
    pub async fn report(&self) -> Result<Response, Error> {
        let examples = self.contributions.examples().await?;
        Ok(http::json(200, &measured(&examples)))
    }
}

/// What a work item of `singular` kind closed with a label says.
pub fn kind_of(singular: &str) -> CorrectionKind {
    match singular {
        "case" => CorrectionKind::Case,
        "opportunity" => CorrectionKind::Opportunity,
        _ => CorrectionKind::Question,
    }
}

#[derive(Default)]
struct Tally {
    /// (said by Liaison, said by staff) → count.
    pairs: BTreeMap<(Label, Label), usize>,
}

impl Tally {
    fn add(&mut self, was: Label, is: Label) {
        *self.pairs.entry((was, is)).or_default() += 1;
    }

    fn count(&self, keep: impl Fn(Label, Label) -> bool) -> usize {
        self.pairs
            .iter()
            .filter(|((was, is), _)| keep(*was, *is))
            .map(|(_, n)| n)
            .sum()
    }

    fn json(&self) -> Value {
        let labels: Vec<Value> = Label::ALL
            .iter()
            .map(|&label| {
                let predicted = self.count(|was, _| was == label);
                let actual = self.count(|_, is| is == label);
                let right = self.count(|was, is| was == label && is == label);
                let ratio = |n: usize| (n > 0).then(|| right as f64 / n as f64);
                json!({"label": label.as_str(), "predicted": predicted, "actual": actual,
                       "right": right, "precision": ratio(predicted), "recall": ratio(actual)})
            })
            .collect();
        json!({
            "corrections": self.count(|was, is| was != is),
            "confirmations": self.count(|was, is| was == is),
            "labels": labels,
        })
    }
}

fn week_of(at: DateTime<Utc>) -> NaiveDate {
    let day = at.date_naive();
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

fn measured(examples: &[Example]) -> Value {
    let mut overall = Tally::default();
    let mut weeks: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut how: BTreeMap<&'static str, usize> = BTreeMap::new();
    for example in examples {
        let c = &example.correction;
        overall.add(c.was, c.label);
        weeks.entry(week_of(c.at)).or_default().add(c.was, c.label);
        let kind = match c.how {
            CorrectionKind::Relabel => "relabel",
            CorrectionKind::Moderation => "moderation",
            CorrectionKind::Case => "case",
            CorrectionKind::Opportunity => "opportunity",
            CorrectionKind::Question => "question",
        };
        *how.entry(kind).or_default() += 1;
    }
    let mut report = overall.json();
    report["learned_from"] = json!(examples.len());
    report["limit"] = json!(MAX_EXAMPLES);
    report["by_kind"] = json!(how);
    report["weeks"] = Value::Array(
        weeks
            .iter()
            .map(|(week, tally)| {
                let mut w = tally.json();
                w["week"] = json!(week.to_string());
                w
            })
            .collect(),
    );
    report
}

#[cfg(test)]
mod tests {
    use shared::contracts::contributions::corrections::Correction;
    use shared::contracts::contributions::LabelSource;

    use super::*;

    fn example(was: Label, is: Label, at: &str) -> Example {
        Example {
            contribution_id: "evt_1".into(),
            text: "t".into(),
            correction: Correction {
                label: is,
                was,
                was_source: LabelSource::Builtin,
                how: CorrectionKind::Relabel,
                by: "s".into(),
                at: at.parse().unwrap(),
            },
        }
    }

    #[test]
    fn precision_and_recall_should_be_measured_per_label_and_per_week() {
        let report = measured(&[
            example(Label::Incident, Label::Incident, "2026-11-30T10:00:00Z"),
            example(Label::Incident, Label::Praise, "2026-12-02T10:00:00Z"),
            example(Label::Praise, Label::Praise, "2026-12-07T09:00:00Z"),
            example(Label::Question, Label::Incident, "2026-12-08T09:00:00Z"),
        ]);
        assert_eq!(report["corrections"], 2);
        assert_eq!(report["confirmations"], 2);
        assert_eq!(report["learned_from"], 4);
        let incident = &report["labels"][0];
        assert_eq!(incident["label"], "incident");
        assert_eq!(incident["precision"], 0.5, "{incident}");
        assert_eq!(incident["recall"], 0.5, "{incident}");
        let spam = &report["labels"][4];
        assert_eq!(
            spam["precision"],
            Value::Null,
            "nothing said spam: no ratio"
        );
        let weeks = report["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0]["week"], "2026-11-30");
        assert_eq!(weeks[1]["week"], "2026-12-07");
        assert_eq!(weeks[1]["labels"][3]["precision"], 1.0);
    }

    #[test]
    fn an_unknown_label_should_be_refused_with_the_labels_named() {
        let err = label("complaint", "label").unwrap_err();
        assert!(
            err.to_string().contains("incident, purchase_intent"),
            "{err}"
        );
    }
}
