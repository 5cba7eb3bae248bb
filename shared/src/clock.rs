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
