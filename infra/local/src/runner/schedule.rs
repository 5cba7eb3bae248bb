//! EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 12 * * ? *)`.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone)]
pub enum Schedule {
    Rate(Duration),
    Cron(Box<cron::Schedule>),
}

impl Schedule {
    pub fn parse(expression: &str) -> Result<Self, String> {
        let expr = expression.trim();
        if let Some(inner) = expr.strip_prefix("rate(").and_then(|s| s.strip_suffix(')')) {
            let mut parts = inner.split_whitespace();
            let n: i64 = parts
                .next()
                .and_then(|n| n.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{expression}: rate needs a positive whole number"))?;
            let unit = parts.next().unwrap_or_default();
            let singular = n == 1;
            let duration = match (unit, singular) {
                ("minute", true) | ("minutes", false) => Duration::minutes(n),
                ("hour", true) | ("hours", false) => Duration::hours(n),
                ("day", true) | ("days", false) => Duration::days(n),
                _ => {
                    return Err(format!(
                        "{expression}: unit must be minute(s), hour(s) or day(s), singular for 1"
                    ))
                }
            };
            return Ok(Schedule::Rate(duration));
        }
        if let Some(inner) = expr.strip_prefix("cron(").and_then(|s| s.strip_suffix(')')) {
            let fields: Vec<&str> = inner.split_whitespace().collect();
            if fields.len() != 6 {
                return Err(format!("{expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)"));
            }
            // EventBridge: min hour dom month dow year; the cron crate: sec min hour dom month dow year.
            let converted = format!(
                "0 {}",
                fields
                    .iter()
                    .map(|f| if *f == "?" { "*" } else { f })
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let schedule =
                cron::Schedule::from_str(&converted).map_err(|e| format!("{expression}: {e}"))?;
            return Ok(Schedule::Cron(Box::new(schedule)));
        }
        Err(format!("{expression}: expected rate(...) or cron(...)"))
    }

    /// The first firing strictly after `after` (for a rate, counted from `after`).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Rate(every) => Some(after + *every),
            Schedule::Cron(schedule) => schedule.after(&after).next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn rates_should_parse_with_eventbridge_units() {
        let s = Schedule::parse("rate(1 minute)").unwrap();
        assert_eq!(
            s.next_after(at("2026-01-01T00:00:00Z")),
            Some(at("2026-01-01T00:01:00Z"))
        );
        assert!(Schedule::parse("rate(5 hours)").is_ok());
        assert!(Schedule::parse("rate(1 minutes)").is_err());
        assert!(Schedule::parse("rate(0 minutes)").is_err());
        assert!(Schedule::parse("every minute").is_err());
    }

    #[test]
    fn cron_should_use_eventbridge_fields() {
        let s = Schedule::parse("cron(30 9 * * ? *)").unwrap();
        assert_eq!(
            s.next_after(at("2026-01-01T10:00:00Z")),
            Some(at("2026-01-02T09:30:00Z"))
        );
        assert!(Schedule::parse("cron(* * * *)").is_err());
    }
}
