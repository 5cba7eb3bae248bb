//! What the poller remembers per source (table `PollStateTable`, key `source_id`): the
//! cursor, today's quota spend, the error backoff and the WebSub lease. Every write is
//! conditional on the version read, so two overlapping runs cannot move a cursor back.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared::kit::dynamo::is_condition_failure;
use shared::Error;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PollState {
    pub source_id: String,
    /// Platform-specific position: the newest time already enqueued (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_day: Option<NaiveDate>,
    #[serde(default)]
    pub quota_used: u32,
    #[serde(default)]
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<DateTime<Utc>>,
    /// When a run last took this source (polled or not): the least recent go first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<DateTime<Utc>>,
    /// When the WebSub subscription must be renewed, and with which secret version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websub_renew_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websub_source_version: Option<u64>,
    /// A YouTube catch-up that a limit (pages, quota, the deadline) stopped before it reached
    /// the cursor: the next run goes on from there, not from the newest again. Without it a
    /// backlog deeper than one run's pages is read from the top every run and never drained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up: Option<CatchUp>,
    /// A worker polls this source until then: a second request for it meanwhile (the next
    /// schedule, a redelivery) is dropped rather than polling twice at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_until: Option<DateTime<Utc>>,
    /// Authors whose audience was measured lately, by their platform id (a forum's user id,
    /// never a name), and when: each is measured at most once a week ([`due_for_measure`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measured: BTreeMap<String, DateTime<Utc>>,
    #[serde(default)]
    pub version: u64,
}

/// How often one author's audience is measured again.
pub const MEASURE_EVERY_DAYS: i64 = 7;
/// Authors remembered at most (the newest): a forum's busiest week stays far below
/// DynamoDB's 400 KB item.
pub const MAX_MEASURED: usize = 1_000;

/// Whether the author `id`'s audience may be measured again at `now`.
pub fn due_for_measure(state: &PollState, id: &str, now: DateTime<Utc>) -> bool {
    state
        .measured
        .get(id)
        .is_none_or(|at| now - *at >= Duration::days(MEASURE_EVERY_DAYS))
}

/// Records the authors measured at `now`, and forgets those measured more than a week ago
/// (and the oldest beyond [`MAX_MEASURED`]).
pub fn record_measured(state: &mut PollState, ids: &[String], now: DateTime<Utc>) {
    for id in ids {
        state.measured.insert(id.clone(), now);
    }
    let week = Duration::days(MEASURE_EVERY_DAYS);
    state.measured.retain(|_, at| now - *at < week);
    if state.measured.len() > MAX_MEASURED {
        let mut times: Vec<DateTime<Utc>> = state.measured.values().copied().collect();
        times.sort_unstable();
        let oldest_kept = times[times.len() - MAX_MEASURED];
        state.measured.retain(|_, at| *at >= oldest_kept);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatchUp {
    /// The platform's token of the next page to read (older than everything read so far).
    pub page_token: String,
    /// The newest time this catch-up saw: the cursor once it reaches the old one.
    pub newest: DateTime<Utc>,
}

/// The quota units left today (UTC) out of `daily_budget`.
pub fn quota_left(state: &PollState, daily_budget: u32, now: DateTime<Utc>) -> u32 {
    if state.quota_day == Some(now.date_naive()) {
        daily_budget.saturating_sub(state.quota_used)
    } else {
        daily_budget
    }
}

/// Records `units` spent today.
pub fn spend(state: &mut PollState, units: u32, now: DateTime<Utc>) {
    let today = now.date_naive();
    if state.quota_day != Some(today) {
        state.quota_day = Some(today);
        state.quota_used = 0;
    }
    state.quota_used = state.quota_used.saturating_add(units);
}

/// Exponential backoff after `failures` consecutive failures: 1, 2, 4... minutes, at most
/// 6 hours; a server's `Retry-After` wins when it asks for longer.
pub fn backoff(failures: u32, retry_after: Option<Duration>) -> Duration {
    let exponential = Duration::minutes(1i64 << failures.saturating_sub(1).min(9));
    let capped = exponential.min(Duration::hours(6));
    retry_after.map_or(capped, |asked| asked.max(capped).min(Duration::hours(24)))
}

pub fn is_due(state: &PollState, now: DateTime<Utc>) -> bool {
    state.retry_after.is_none_or(|at| now >= at)
}

#[derive(Debug, Clone)]
pub struct PollStateStore {
    client: Client,
    table: String,
}

impl PollStateStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn get(&self, source_id: &str) -> Result<PollState, Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("source_id", AttributeValue::S(source_id.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::from_sdk("GetItem poll state", e))?;
        match out.item {
            Some(item) => shared::kit::dynamo::decode(item, "poll state"),
            None => Ok(PollState {
                source_id: source_id.to_string(),
                ..PollState::default()
            }),
        }
    }

    /// Writes `state` if nobody wrote since it was read (its `version`); `Conflict` if
    /// another run did.
    pub async fn save(&self, state: &PollState) -> Result<PollState, Error> {
        let next = PollState {
            version: state.version + 1,
            ..state.clone()
        };
        let item: HashMap<String, AttributeValue> =
            shared::kit::dynamo::encode(&next, "poll state")?;
        let mut put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        put = if state.version == 0 {
            put.condition_expression("attribute_not_exists(source_id)")
        } else {
            put.condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(state.version.to_string()))
        };
        put.send().await.map_err(|e| {
            if is_condition_failure(&e) {
                Error::Conflict(format!(
                    "poll state of {} changed meanwhile",
                    state.source_id
                ))
            } else {
                Error::from_sdk("PutItem poll state", e)
            }
        })?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_budget_should_reset_each_utc_day() {
        let mut state = PollState::default();
        let day1 = at("2026-11-23T23:59:00Z");
        spend(&mut state, 90, day1);
        assert_eq!(quota_left(&state, 100, day1), 10);
        assert_eq!(quota_left(&state, 100, at("2026-11-24T00:00:01Z")), 100);
        spend(&mut state, 5, at("2026-11-24T00:00:01Z"));
        assert_eq!(state.quota_used, 5);
    }

    #[test]
    fn an_author_should_be_measured_once_a_week_and_forgotten_after() {
        let mut state = PollState::default();
        let t0 = at("2026-11-23T10:00:00Z");
        assert!(due_for_measure(&state, "412", t0));
        record_measured(&mut state, &["412".into()], t0);
        assert!(!due_for_measure(&state, "412", t0 + Duration::days(6)));
        assert!(due_for_measure(&state, "412", t0 + Duration::days(7)));
        record_measured(&mut state, &["77".into()], t0 + Duration::days(8));
        assert_eq!(state.measured.keys().collect::<Vec<_>>(), ["77"]);
        let many: Vec<String> = (0..MAX_MEASURED + 10).map(|i| i.to_string()).collect();
        record_measured(&mut state, &many[..10], t0 + Duration::days(9));
        record_measured(&mut state, &many[10..], t0 + Duration::days(10));
        assert_eq!(state.measured.len(), MAX_MEASURED);
        assert!(!state.measured.contains_key("0"));
    }

    #[test]
    fn backoff_should_double_then_cap_and_honour_retry_after() {
        assert_eq!(backoff(1, None), Duration::minutes(1));
        assert_eq!(backoff(2, None), Duration::minutes(2));
        assert_eq!(backoff(4, None), Duration::minutes(8));
        assert_eq!(backoff(30, None), Duration::hours(6));
        assert_eq!(
            backoff(1, Some(Duration::minutes(30))),
            Duration::minutes(30)
        );
        assert_eq!(backoff(1, Some(Duration::days(9))), Duration::hours(24));
    }
}
