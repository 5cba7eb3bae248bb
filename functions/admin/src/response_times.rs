//! `/admin/reports/response-times?from=&to=`: how fast customer service answers and closes
//! the cases opened in a range of days: how many were answered and closed, the median and
//! 90th percentile of the time to the first published answer (recorded on the case, in the
//! transaction that records the publication) and of the time to close, and how many were
//! closed within their SLA and past it, overall and per priority.
//!
//! The SLA is the one the SLA watch keeps: a case is late when it is still open at its
//! `due_at` (an answer alone does not stop the clock: the person may still be waiting).
//! So a case is `within` when closed by its due time, `past` when closed after it or still
//! open after it, and `running` when open and not yet due.
//!
//! Read from the cases themselves (the `ByStatus` index, open then closed, filtered on
//! `opened_at`): a few thousand cases a month is a few pages, and the figures stay exact
//! when a case is reopened or its answer comes days later, which counters could not.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use shared::contracts::work;
use shared::kit::dynamo::{self, s, Item};
use shared::kit::http::{self, Request, Response};
use shared::Error;

/// A quarter and a bit: the cases of a longer range are better read from an export.
const MAX_DAYS: i64 = 93;

pub struct ResponseTimes {
    pub client: Client,
    pub cases_table: String,
    pub clock: shared::kit::clock::Clock,
}

impl ResponseTimes {
    pub async fn report(&self, req: &Request) -> Result<Response, Error> {
        let (from, to) = crate::reports::range(req, MAX_DAYS)?;
        Ok(http::json(200, &self.between(from, to).await?))
    }

    /// The figures of the cases opened from `from` to `to`.
    pub async fn between(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Value, Error> {
        let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let end = start + Duration::days((to - from).num_days() + 1);
        let mut cases = Vec::new();
        for status in ["open", "closed"] {
            let query = work::by_status(&self.client, &self.cases_table, status)
                .filter_expression("opened_at >= :start AND opened_at < :end")
                .expression_attribute_values(":start", s(stamp(start)))
                .expression_attribute_values(":end", s(stamp(end)));
            cases.extend(shared::kit::pages::query_all(query, "Query cases by status").await?);
        }
        let mut body = figures(&cases, self.clock.now());
        body["from"] = json!(from.to_string());
        body["to"] = json!(to.to_string());
        Ok(body)
    }
}

/// How `opened_at` is written (chrono's serde form): comparable as text.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn time(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    dynamo::text(item, name)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The report's figures for `cases`, at `now`.
pub fn figures(cases: &[Item], now: DateTime<Utc>) -> Value {
    let mut to_answer = Vec::new();
    let mut to_close = Vec::new();
    let mut sla = SlaCounts::default();
    let mut sla_by_priority: BTreeMap<String, SlaCounts> = BTreeMap::new();
    for case in cases {
        let Some(opened) = time(case, "opened_at") else {
            continue;
        };
        if let Some(standing) = sla_standing(case, now) {
            sla.add(standing);
            let priority = dynamo::text(case, "priority").unwrap_or("unknown");
            sla_by_priority
                .entry(priority.to_string())
                .or_default()
                .add(standing);
        }
        if let Some(answered) = time(case, "first_answered_at") {
            to_answer.push((answered - opened).num_seconds().max(0));
        }
        if dynamo::text(case, "status") == Some("closed") {
            if let Some(closed) = time(case, "closed_at") {
                to_close.push((closed - opened).num_seconds().max(0));
            }
        }
    }
    json!({
        "cases": cases.len(),
        "first_answer": spread(&mut to_answer),
        "close": spread(&mut to_close),
        "sla": sla,
        "sla_by_priority": sla_by_priority,
    })
}

/// Where a case stands against its SLA (`None`: a case without its due time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SlaStanding {
    Within,
    Past,
    Running,
}

fn sla_standing(case: &Item, now: DateTime<Utc>) -> Option<SlaStanding> {
    let due = time(case, "due_at")?;
    let closed = time(case, "closed_at").filter(|_| dynamo::text(case, "status") == Some("closed"));
    Some(match closed {
        Some(closed) if closed <= due => SlaStanding::Within,
        Some(_) => SlaStanding::Past,
        None if now > due => SlaStanding::Past,
        None => SlaStanding::Running,
    })
}

#[derive(Debug, Default, serde::Serialize)]
struct SlaCounts {
    within: u64,
    past: u64,
    running: u64,
}

impl SlaCounts {
    fn add(&mut self, standing: SlaStanding) {
        match standing {
            SlaStanding::Within => self.within += 1,
            SlaStanding::Past => self.past += 1,
            SlaStanding::Running => self.running += 1,
        }
    }
}

/// How many, and the median and 90th percentile (nearest rank) in minutes.
fn spread(seconds: &mut [i64]) -> Value {
    seconds.sort_unstable();
    let rank = |p: f64| -> Option<f64> {
        if seconds.is_empty() {
            return None;
        }
        let index = ((p * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len()) - 1;
        Some((seconds[index] as f64 / 6.0).round() / 10.0)
    };
    json!({
        "count": seconds.len(),
        "median_minutes": rank(0.5),
        "p90_minutes": rank(0.9),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn case(status: &str, opened: &str, answered: Option<&str>, closed: Option<&str>) -> Item {
        let mut item: Item = HashMap::new();
        item.insert("status".into(), s(status));
        item.insert("opened_at".into(), s(opened));
        item.insert("priority".into(), s("P2"));
        item.insert("due_at".into(), s("2026-12-01T14:00:00Z"));
        if let Some(a) = answered {
            item.insert("first_answered_at".into(), s(a));
        }
        if let Some(c) = closed {
            item.insert("closed_at".into(), s(c));
        }
        item
    }

    #[test]
    fn the_median_and_p90_should_be_read_from_the_cases() {
        let cases = vec![
            case(
                "closed",
                "2026-12-01T10:00:00Z",
                Some("2026-12-01T10:10:00+00:00"),
                Some("2026-12-01T12:00:00+00:00"),
            ),
            case(
                "open",
                "2026-12-01T10:00:00Z",
                Some("2026-12-01T10:30:00+00:00"),
                None,
            ),
            case("open", "2026-12-01T10:00:00Z", None, None),
            // Closed without its time (never: closing writes it) is not counted as closed.
            case(
                "closed",
                "2026-12-01T10:00:00Z",
                Some("2026-12-01T11:00:00+00:00"),
                None,
            ),
        ];
        let figures = figures(&cases, "2026-12-01T13:00:00Z".parse().unwrap());
        assert_eq!(figures["cases"], 4);
        assert_eq!(figures["first_answer"]["count"], 3);
        assert_eq!(figures["first_answer"]["median_minutes"], 30.0);
        assert_eq!(figures["first_answer"]["p90_minutes"], 60.0);
        assert_eq!(figures["close"]["count"], 1);
        assert_eq!(figures["close"]["median_minutes"], 120.0);
        assert_eq!(spread(&mut [])["median_minutes"], Value::Null);
        // Due at 14:00, seen at 13:00: one closed in time, two still running (the one
        // closed without its time counts as open).
        assert_eq!(
            figures["sla"],
            json!({"within": 1, "past": 0, "running": 3})
        );
    }

    #[test]
    fn a_case_closed_late_or_still_open_after_its_due_time_should_be_past_its_sla() {
        let mut p1 = case("open", "2026-12-01T10:00:00Z", None, None);
        p1.insert("priority".into(), s("P1"));
        p1.insert("due_at".into(), s("2026-12-01T11:00:00Z"));
        let cases = vec![
            case(
                "closed",
                "2026-12-01T10:00:00Z",
                None,
                Some("2026-12-01T15:00:00+00:00"),
            ),
            case(
                "closed",
                "2026-12-01T10:00:00Z",
                None,
                Some("2026-12-01T14:00:00+00:00"),
            ),
            p1,
        ];
        let figures = figures(&cases, "2026-12-01T12:00:00Z".parse().unwrap());
        assert_eq!(
            figures["sla"],
            json!({"within": 1, "past": 2, "running": 0})
        );
        assert_eq!(
            figures["sla_by_priority"]["P1"],
            json!({"within": 0, "past": 1, "running": 0})
        );
        assert_eq!(
            figures["sla_by_priority"]["P2"],
            json!({"within": 1, "past": 1, "running": 0})
        );
    }

    #[test]
    fn stamps_should_compare_with_what_serde_writes() {
        let at: DateTime<Utc> = "2026-12-01T10:00:00.5Z".parse().unwrap();
        let written = serde_json::to_value(at).unwrap();
        let start = stamp("2026-12-01T00:00:00Z".parse().unwrap());
        assert!(
            written.as_str().unwrap() >= start.as_str(),
            "{written} {start}"
        );
    }
}
