//! What a delivery to a known source came to ([`Delivery`]), and its receipt, in `ReceivedTable`
//! (`shared::contracts::received`): what the source's owner sees under "last deliveries".
//!
//! A receipt is diagnostics, not data: writing it never changes the answer (the events are
//! already queued; a 5xx here would only make the platform send them again), so a failed
//! write is logged and the answer stands. Refusals and failures are recorded at most once
//! per source every few seconds per instance: anyone who knows a source's URL can make
//! them.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use shared::contracts::received::{self, Outcome, Receipt, ReceivedEvent};
use shared::contracts::sources::Source;
use shared::kit::http::Response;
use shared::Error;

use crate::intake::Outcome as Queued;
use crate::request::{Ignored, Report};
use crate::Deps;

/// What a request to a known source came to, when it did not fail.
pub enum Delivery {
    /// A platform's handshake (a URL check), answered as the platform expects.
    Handshake(Response),
    Handled(Handled),
}

/// A verified delivery, handled: its events queued (or found duplicate) and what was ignored.
pub struct Handled {
    pub event: Option<String>,
    pub outcomes: Vec<Queued>,
    pub ignored: Vec<Ignored>,
    pub report: Option<Report>,
}

/// When each source's last refusal was recorded by this instance.
#[derive(Debug, Default)]
pub struct RefusalSpacing {
    last: Mutex<HashMap<String, DateTime<Utc>>>,
}

/// Sources remembered at most (a forged flood over many sources does not grow it forever).
const MAX_REMEMBERED: usize = 10_000;

impl RefusalSpacing {
    /// Whether a refusal for `source_id` may be recorded at `now` (and remembers it if so).
    pub fn admit(&self, source_id: &str, now: DateTime<Utc>) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return false;
        };
        if !received::refusal_due(last.get(source_id).copied(), now) {
            return false;
        }
        if last.len() >= MAX_REMEMBERED {
            last.clear();
        }
        last.insert(source_id.to_string(), now);
        true
    }
}

/// Writes the receipt of `delivered` (none for a handshake, nor for a refusal too soon
/// after the last).
pub async fn keep(deps: &Deps, source: &Source, delivered: &Result<Delivery, Error>) {
    let now = deps.clock.now();
    let receipt = match delivered {
        Ok(Delivery::Handshake(_)) => return,
        Ok(Delivery::Handled(handled)) => handled_receipt(source, handled, now),
        Err(err) => {
            if !deps.refusals.admit(&source.id, now) {
                return;
            }
            refused_receipt(source, err, now)
        }
    };
    let written = match receipt {
        Ok(receipt) => deps.received.record(&receipt).await,
        Err(err) => Err(err),
    };
    if let Err(err) = written {
        tracing::warn!(source_id = %source.id, error = %err, "delivery receipt not kept");
    }
}

fn handled_receipt(
    source: &Source,
    handled: &Handled,
    now: DateTime<Utc>,
) -> Result<Receipt, Error> {
    let outcome = if handled.outcomes.iter().any(|o| !o.duplicate) {
        Outcome::Accepted
    } else if !handled.ignored.is_empty() && handled.outcomes.is_empty() {
        Outcome::Ignored
    } else if handled.outcomes.is_empty() {
        Outcome::Ping
    } else {
        Outcome::Duplicate
    };
    let status = if outcome == Outcome::Accepted {
        202
    } else {
        200
    };
    let mut receipt = Receipt::new(&source.id, source.platform.as_str(), outcome, status, now)?;
    receipt.event = handled.event.clone();
    receipt.events = handled
        .outcomes
        .iter()
        .map(|o| ReceivedEvent {
            id: o.id.clone(),
            duplicate: o.duplicate,
        })
        .collect();
    receipt.ignored = handled
        .ignored
        .iter()
        .map(|i| format!("{}: {}", i.reason, i.detail))
        .collect();
    Ok(receipt)
}

/// A 4xx (refused) or a 5xx (failed: the platform will retry): the code and the field,
/// never the message, which can quote the payload.
fn refused_receipt(source: &Source, err: &Error, now: DateTime<Utc>) -> Result<Receipt, Error> {
    let status = err.status();
    let outcome = if status >= 500 {
        Outcome::Failed
    } else {
        Outcome::Refused
    };
    let mut receipt = Receipt::new(&source.id, source.platform.as_str(), outcome, status, now)?;
    receipt.error_code = Some(err.code().to_string());
    receipt.error_field = err.field().map(str::to_string);
    Ok(receipt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_refusal_should_be_admitted_once_per_source_in_a_spacing() {
        let spacing = RefusalSpacing::default();
        let at: DateTime<Utc> = "2026-12-07T10:00:00Z".parse().unwrap();
        assert!(spacing.admit("src_a", at));
        assert!(!spacing.admit("src_a", at + Duration::seconds(1)));
        assert!(
            spacing.admit("src_b", at + Duration::seconds(1)),
            "another source"
        );
        assert!(spacing.admit("src_a", at + Duration::seconds(11)));
    }
}
