//! What every fuzz target shares: a fixed source per platform, fixed valid headers, a fixed
//! clock, and the call through `ingest`'s public API. Nothing here may panic: a panic in a
//! target must be a parser's.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue};
use aws_lambda_events::query_map::QueryMap;
use chrono::{DateTime, Utc};
use ingest::connectors::for_platform;
use ingest::request::HookRequest;
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};

/// The channel of the YouTube fixtures (events/youtube/*.xml).
pub const YOUTUBE_CHANNEL: &str = "UCm7LqH3fQv9Xk2Zp8Rb4sTw";
/// The shop the Shopify source names (`shop_domain`), sent in `x-shopify-shop-domain`.
pub const SHOPIFY_SHOP: &str = "maison-lumiere.myshopify.com";
/// Meta's verify token in the fuzzed source.
pub const META_VERIFY_TOKEN: &str = "fuzz-verify-token";
pub const SECRET: &str = "fuzz-signing-secret";

/// 2026-11-23T09:00:00Z, near the fixtures' dates.
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_795_424_400, 0).unwrap_or_default()
}

pub fn source(platform: Platform) -> Source {
    let mut settings = BTreeMap::new();
    let mut credentials = BTreeMap::new();
    match platform {
        Platform::YouTube => {
            settings.insert("channel_id".into(), YOUTUBE_CHANNEL.into());
        }
        Platform::Shopify => {
            settings.insert("shop_domain".into(), SHOPIFY_SHOP.into());
        }
        Platform::WordPress => {
            settings.insert("site_url".into(), "https://shop.example.com".into());
        }
        Platform::Meta => {
            credentials.insert("verify_token".into(), META_VERIFY_TOKEN.into());
        }
        _ => {}
    }
    Source {
        id: "src_fuzz".into(),
        platform,
        name: "fuzz".into(),
        created_at: now(),
        secrets: vec![SigningSecret {
            value: SECRET.into(),
            created_at: now(),
            expires_at: None,
        }],
        settings,
        credentials: Credentials(credentials),
        version: 1,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

pub fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    map
}

/// `parse` on `body` with these headers, as the pipeline calls it after `verify`. Any
/// `Err` is a fine answer: only a panic or an abort is a bug.
pub fn parse(platform: Platform, source: &Source, headers: &HeaderMap, body: &[u8]) {
    let query = QueryMap::default();
    let hook = HookRequest {
        method: "POST",
        headers,
        query: &query,
        body,
        now: now(),
    };
    let result = std::hint::black_box(for_platform(platform).parse(&hook, source));
    if *DEBUG {
        match &result {
            Ok(parsed) => eprintln!(
                "{platform}: {} event(s), ignored {:?}",
                parsed.events.len(),
                parsed.ignored
            ),
            Err(err) => eprintln!("{platform}: error {err}"),
        }
    }
}

/// `LIAISON_FUZZ_DEBUG=1 fuzz/target/<triple>/release/<target> <files>` prints what each
/// input parsed to: to check that the fixed headers and sources let the fixtures through.
static DEBUG: LazyLock<bool> = LazyLock::new(|| std::env::var_os("LIAISON_FUZZ_DEBUG").is_some());

/// The input as query values: one line (`\n`) per name, missing lines left out of the
/// query, invalid UTF-8 replaced.
pub fn query(names: &[&str], data: &[u8]) -> QueryMap {
    let text = String::from_utf8_lossy(data);
    let map: HashMap<String, String> = names
        .iter()
        .zip(text.split('\n'))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    QueryMap::from(map)
}

/// `handshake` with this query and body; `Err` and `None` are fine answers.
pub fn handshake(platform: Platform, method: &str, query: &QueryMap, body: &[u8]) {
    let source = source(platform);
    let headers = HeaderMap::new();
    let hook = HookRequest {
        method,
        headers: &headers,
        query,
        body,
        now: now(),
    };
    let _ = std::hint::black_box(for_platform(platform).handshake(&hook, &source));
}
