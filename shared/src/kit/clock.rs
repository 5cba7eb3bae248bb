//! The one clock every decision reads.
//!
//! On Lambda it is the system clock. The local runner shares one [`Clock`] among all the
//! functions it serves and can move it forward (`POST /_local/clock`), so that time-based
//! behaviour (timestamp tolerance, expiry, schedules) plays out in seconds in tests and demos.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

/// A time as the tables store it: serde's RFC 3339 (`Z`, fractional seconds when there are
/// any), the format of every serialised record. Conditions compare stored times as strings,
/// so a value written into an expression must have the same form (`to_rfc3339` does not).
pub fn stamp(at: DateTime<Utc>) -> String {
    match serde_json::to_value(at) {
        Ok(serde_json::Value::String(s)) => s,
        _ => at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_should_move_every_clone() {
        let clock = Clock::system();
        let shared = clock.clone();
        let before = clock.now();
        shared.advance(Duration::hours(2));
        let moved = clock.now() - before;
        assert!(moved >= Duration::hours(2) && moved < Duration::hours(2) + Duration::seconds(5));
    }
}
