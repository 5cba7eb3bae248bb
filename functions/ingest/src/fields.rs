//! Field conversions the platform payloads need: ids that may be numbers beyond 2^53,
//! decimals sent as strings or numbers, and the date formats each platform uses.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use shared::contracts::events::Tracking;

/// An id sent as a JSON number or string, kept as a string. serde_json reads an integer
/// into u64/i64 exactly, so an id beyond 2^53 never passes through f64.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match AnyId::deserialize(d)? {
        AnyId::Unsigned(n) => Ok(n.to_string()),
        AnyId::Signed(n) => Ok(n.to_string()),
        AnyId::Text(s) => Ok(s),
    }
}

/// [`id`] for an optional field; `null`, `0` and `""` mean "none" (WordPress and
/// WooCommerce write `0` for "no parent", "no customer").
pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<AnyId>::deserialize(d)? {
        None | Some(AnyId::Unsigned(0)) | Some(AnyId::Signed(0)) => None,
        Some(AnyId::Text(s)) if s.is_empty() || s == "0" => None,
        Some(AnyId::Unsigned(n)) => Some(n.to_string()),
        Some(AnyId::Signed(n)) => Some(n.to_string()),
        Some(AnyId::Text(s)) => Some(s),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AnyId {
    Unsigned(u64),
    Signed(i64),
    Text(String),
}

/// A decimal amount sent as `"19.90"` or `19.9`, read without going through f64 for strings.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Amount {
        Text(String),
        Number(serde_json::Number),
    }
    let text = match Amount::deserialize(d)? {
        Amount::Text(s) => s,
        Amount::Number(n) => n.to_string(),
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let amount = text
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a decimal amount")))?;
    if amount.abs() > shared::contracts::events::MAX_AMOUNT {
        return Err(serde::de::Error::custom(
            "is beyond any real amount (at most 1,000,000,000,000)",
        ));
    }
    Ok(amount)
}

/// A time given in UTC without an offset (`2026-11-23T10:00:00` or `2026-11-23 10:00:00`),
/// as WooCommerce's and WordPress's `*_gmt` fields are.
pub fn gmt(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|naive| Utc.from_utc_datetime(&naive))
}

/// `Wed Oct 10 20:19:24 +0000 2018`, the date format of X's v1.1 objects.
pub fn twitter_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text.trim(), "%a %b %d %H:%M:%S %z %Y")
        .ok()
        .map(|dt| dt.with_timezone(&Utc))
}

pub fn unix_seconds(seconds: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0).single()
}

pub fn unix_millis(millis: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(millis).single()
}

/// An RFC 3339 time as a field of a struct.
pub fn rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|dt| dt.with_timezone(&Utc))
}

/// Empty strings are "not given" on most platforms.
pub fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Longest tracking number or carrier name kept: anything longer is not one.
const MAX_TRACKING_TEXT: usize = 256;
const MAX_TRACKING_URL: usize = 2048;

/// How a shipment can be followed, keeping only what is safe to put in front of a customer
/// in a direct message: an http(s) link without spaces, a number and a carrier of sensible
/// length. Values that fail are dropped, not refused: the news is worth sending without
/// them. `None` when nothing is left.
pub fn tracking_of(
    number: Option<String>,
    url: Option<String>,
    carrier: Option<String>,
) -> Option<Tracking> {
    let short = |value: Option<String>| non_empty(value).filter(|v| v.len() <= MAX_TRACKING_TEXT);
    let url = non_empty(url).filter(|u| {
        let lower = u.to_ascii_lowercase();
        (lower.starts_with("https://") || lower.starts_with("http://"))
            && u.len() <= MAX_TRACKING_URL
            && !u.contains(char::is_whitespace)
    });
    let tracking = Tracking {
        number: short(number),
        url,
        carrier: short(carrier),
    };
    (tracking != Tracking::default()).then_some(tracking)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Ids {
        #[serde(deserialize_with = "id")]
        a: String,
        #[serde(default, deserialize_with = "opt_id")]
        b: Option<String>,
        #[serde(deserialize_with = "decimal")]
        price: Decimal,
    }

    #[test]
    fn ids_beyond_2_pow_53_should_keep_every_digit() {
        let ids: Ids =
            serde_json::from_str(r#"{"a": 1850006982410104833, "b": 0, "price": "19.90"}"#)
                .unwrap();
        assert_eq!(ids.a, "1850006982410104833");
        assert_eq!(ids.b, None);
        assert_eq!(ids.price.to_string(), "19.90");
        let ids: Ids = serde_json::from_str(r#"{"a": "x1", "b": "17", "price": 24.5}"#).unwrap();
        assert_eq!((ids.a.as_str(), ids.b.as_deref()), ("x1", Some("17")));
        assert_eq!(ids.price.to_string(), "24.5");
    }

    #[test]
    fn an_absurd_amount_should_be_refused_not_overflow_later() {
        for price in [
            "1e27",
            "\"79228162514264337593543950335\"",
            "1000000000000.01",
        ] {
            let body = format!(r#"{{"a": "x", "price": {price}}}"#);
            assert!(serde_json::from_str::<Ids>(&body).is_err(), "{price}");
        }
        let ids: Ids = serde_json::from_str(r#"{"a": "x", "price": "999999999999.99"}"#).unwrap();
        assert_eq!(ids.price.to_string(), "999999999999.99");
    }

    #[test]
    fn platform_dates_should_parse_as_utc() {
        let expected = "2026-11-23T09:12:44Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(gmt("2026-11-23 09:12:44"), Some(expected));
        assert_eq!(gmt("2026-11-23T09:12:44"), Some(expected));
        assert_eq!(gmt("2026-11-23T10:12:44+01:00"), Some(expected));
        assert_eq!(gmt("yesterday"), None);
        assert_eq!(
            twitter_date("Mon Nov 23 09:12:44 +0000 2026"),
            Some(expected)
        );
        assert_eq!(unix_millis(1_795_424_764_000), unix_seconds(1_795_424_764));
    }
}
