//! API Gateway's stage throttling, as the HTTP API applies it: each route has its own token
//! bucket (`ThrottlingBurstLimit` tokens, refilled at `ThrottlingRateLimit` a second), from
//! the stage's `RouteSettings` for that route key or its `DefaultRouteSettings`. An empty
//! bucket answers 429 before any authorizer or function runs.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// A route's limits: (burst, rate per second).
pub type Limits = (f64, f64);

struct Bucket {
    burst: f64,
    rate: f64,
    /// Tokens left and when they were counted.
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new((burst, rate): Limits) -> Self {
        Bucket {
            burst,
            rate,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    fn take(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return true;
        };
        let now = Instant::now();
        let refilled = state.0 + now.duration_since(state.1).as_secs_f64() * self.rate;
        let tokens = refilled.min(self.burst);
        if tokens >= 1.0 {
            *state = (tokens - 1.0, now);
            true
        } else {
            *state = (tokens, now);
            false
        }
    }
}

/// Every route's bucket.
#[derive(Default)]
pub struct Throttle {
    buckets: BTreeMap<String, Bucket>,
}

impl Throttle {
    /// `routes`: every route key served; `specific`: the stage's `RouteSettings`;
    /// `default`: its `DefaultRouteSettings` (none: unthrottled, as a stage without them).
    pub fn new(
        routes: impl Iterator<Item = String>,
        specific: &BTreeMap<String, Limits>,
        default: Option<Limits>,
    ) -> Self {
        let buckets = routes
            .filter_map(|key| {
                let limits = specific.get(&key).copied().or(default)?;
                Some((key, Bucket::new(limits)))
            })
            .collect();
        Throttle { buckets }
    }

    /// Whether a request on `route_key` may go through now.
    pub fn allow(&self, route_key: &str) -> bool {
        self.buckets.get(route_key).is_none_or(Bucket::take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_should_take_its_burst_then_refuse_and_leave_others_alone() {
        let specific = BTreeMap::from([("POST /hooks/{id}".to_string(), (3.0, 0.001))]);
        let throttle = Throttle::new(
            ["POST /hooks/{id}".to_string(), "GET /admin".to_string()].into_iter(),
            &specific,
            Some((2.0, 0.001)),
        );
        let hooks: Vec<bool> = (0..4).map(|_| throttle.allow("POST /hooks/{id}")).collect();
        assert_eq!(hooks, [true, true, true, false]);
        let admin: Vec<bool> = (0..3).map(|_| throttle.allow("GET /admin")).collect();
        assert_eq!(admin, [true, true, false]);
        assert!(throttle.allow("GET /unthrottled"));
    }
}
