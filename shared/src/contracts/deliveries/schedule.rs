//! When a delivery is tried again, and when Liaison gives up: pure arithmetic, so that the
//! schedule is tested without waiting for it.
//!
//! The schedule is Svix's (the Standard Webhooks authors' service), stretched to three days:
//! 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 12 h, counted from the first attempt.
//! A receiver's `Retry-After` (on 429 and 503) is honoured when it asks for longer.

use chrono::{DateTime, Duration, Utc};

/// How long failed deliveries are retried, from the first attempt.
pub const RETRY_FOR: Duration = Duration::hours(72);

/// The waits after the first, second... failure; the last one repeats.
const WAITS_SECONDS: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 43_200];

/// The longest wait Liaison accepts from a receiver's `Retry-After`.
const LONGEST_WAIT_SECONDS: i64 = 43_200;

/// How long to wait after the `failures`-th failure (1 for the first).
pub fn wait_after(failures: u32, retry_after_seconds: Option<i64>) -> Duration {
    let index = (failures.max(1) as usize - 1).min(WAITS_SECONDS.len() - 1);
    let planned = WAITS_SECONDS[index];
    let asked = retry_after_seconds
        .unwrap_or(0)
        .clamp(0, LONGEST_WAIT_SECONDS);
    Duration::seconds(planned.max(asked))
}

/// What became of one attempt, from the receiver's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// 408, 429, 5xx, a redirect (never followed: where it points was not checked), a
    /// timeout or no answer: tried again.
    TryAgain,
    /// Any other 4xx: the receiver refuses this event; trying again cannot help.
    Refused,
}

/// How a receiver's status is taken.
pub fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        400..=499 if status != 408 && status != 429 => Outcome::Refused,
        _ => Outcome::TryAgain,
    }
}

/// What to do after an attempt that must be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Three days have passed since the first attempt: dead-letter it.
    GiveUp,
}

/// After the `failures`-th failed attempt at `now` of a delivery first tried at `first`.
pub fn next(
    first: DateTime<Utc>,
    failures: u32,
    now: DateTime<Utc>,
    retry_after_seconds: Option<i64>,
) -> Next {
    let at = now + wait_after(failures, retry_after_seconds);
    if now >= first + RETRY_FOR {
        Next::GiveUp
    } else {
        // The last retry happens at the deadline, not beyond it.
        Next::RetryAt(at.min(first + RETRY_FOR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn waits_should_grow_then_repeat_every_twelve_hours() {
        let secs: Vec<i64> = (1..=9).map(|n| wait_after(n, None).num_seconds()).collect();
        assert_eq!(
            secs,
            [5, 300, 1800, 7200, 18000, 36000, 43200, 43200, 43200]
        );
        assert_eq!(wait_after(0, None).num_seconds(), 5);
    }

    #[test]
    fn a_longer_retry_after_should_be_honoured_up_to_twelve_hours() {
        assert_eq!(wait_after(1, Some(120)).num_seconds(), 120);
        assert_eq!(wait_after(3, Some(120)).num_seconds(), 1800);
        assert_eq!(wait_after(1, Some(999_999)).num_seconds(), 43_200);
        assert_eq!(wait_after(1, Some(-5)).num_seconds(), 5);
    }

    #[test]
    fn statuses_should_sort_into_delivered_retried_and_refused() {
        for s in [200, 201, 204, 299] {
            assert_eq!(outcome(s), Outcome::Delivered, "{s}");
        }
        for s in [301, 302, 307, 408, 429, 500, 502, 503, 504] {
            assert_eq!(outcome(s), Outcome::TryAgain, "{s}");
        }
        for s in [400, 401, 403, 404, 410, 413, 422] {
            assert_eq!(outcome(s), Outcome::Refused, "{s}");
        }
    }

    #[test]
    fn retries_should_stop_three_days_after_the_first_attempt() {
        let first = at("2026-12-07T10:00:00Z");
        assert_eq!(
            next(first, 1, first, None),
            Next::RetryAt(at("2026-12-07T10:00:05Z"))
        );
        // Near the end, the last retry is at the deadline itself.
        assert_eq!(
            next(first, 9, at("2026-12-10T01:00:00Z"), None),
            Next::RetryAt(at("2026-12-10T10:00:00Z"))
        );
        assert_eq!(
            next(first, 10, at("2026-12-10T10:00:00Z"), None),
            Next::GiveUp
        );
        // About eleven attempts fit in three days.
        let (mut now, mut n) = (first, 0);
        while let Next::RetryAt(t) = next(first, n + 1, now, None) {
            now = t;
            n += 1;
        }
        assert!((10..=13).contains(&n), "{n} attempts");
    }
}
