//! CPU per webhook, per platform: verify the platform's signature on the raw bytes, then
//! parse and normalise, for the largest fixture of each platform (`events/<platform>/`).
//! Run: `cargo bench -p ingest --bench platforms`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;
use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ingest::connectors::for_platform;
use ingest::request::HookRequest;
use ingest::signature::{hmac_sha1, hmac_sha256};
use shared::contracts::sources::{Credentials, Platform, SigningSecret, Source, KIND};

const SECRET: &str = "bench-secret-0123456789abcdef";

/// The largest JSON or XML fixture of a platform.
fn largest_fixture(platform: &str) -> (String, Vec<u8>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(platform);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "xml")))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let path = files.pop().unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    (name, std::fs::read(path).unwrap())
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

type Pairs<K> = Vec<(K, String)>;

/// The headers (and query) the platform sends for this fixture, signed its way.
fn delivery(platform: Platform, body: &[u8]) -> (Pairs<&'static str>, Pairs<String>) {
    let mac = hmac_sha256(SECRET.as_bytes(), &[body]);
    let mut query = Vec::new();
    let headers = match platform {
        Platform::Shopify => vec![
            ("x-shopify-topic", "orders/create".to_string()),
            ("x-shopify-event-id", "ev-1".into()),
            ("x-shopify-hmac-sha256", b64(&mac)),
        ],
        Platform::WooCommerce => vec![
            ("x-wc-webhook-topic", "order.updated".to_string()),
            ("x-wc-webhook-signature", b64(&mac)),
        ],
        Platform::WordPress => vec![
            ("x-wp-webhook-name", "update_comment".to_string()),
            ("x-wp-webhook-signature", b64(&mac)),
        ],
        Platform::Discourse => vec![
            ("x-discourse-event", "post_edited".to_string()),
            ("x-discourse-instance", "https://forum.example".into()),
            (
                "x-discourse-event-signature",
                format!("sha256={}", hex(&mac)),
            ),
        ],
        Platform::Meta => vec![("x-hub-signature-256", format!("sha256={}", hex(&mac)))],
        Platform::X => vec![(
            "x-twitter-webhooks-signature",
            format!("sha256={}", b64(&mac)),
        )],
        Platform::YouTube => vec![(
            "x-hub-signature",
            format!("sha1={}", hex(&hmac_sha1(SECRET.as_bytes(), body))),
        )],
        Platform::Trustpilot => {
            query.push(("token".to_string(), SECRET.to_string()));
            vec![]
        }
        Platform::HubSpot => {
            let ts = Utc::now().timestamp_millis().to_string();
            let url = b"https://liaison.example/hooks/src_test";
            let mac = hmac_sha256(SECRET.as_bytes(), &[b"POST", url, body, ts.as_bytes()]);
            vec![
                ("x-hubspot-request-timestamp", ts),
                ("x-hubspot-signature-v3", b64(&mac)),
            ]
        }
        Platform::Zendesk => {
            let ts = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mac = hmac_sha256(SECRET.as_bytes(), &[ts.as_bytes(), body]);
            vec![
                ("x-zendesk-webhook-signature-timestamp", ts),
                ("x-zendesk-webhook-signature", b64(&mac)),
            ]
        }
        Platform::StandardWebhooks => {
            let ts = Utc::now().timestamp().to_string();
            let mac = hmac_sha256(SECRET.as_bytes(), &[b"msg_1.", ts.as_bytes(), b".", body]);
            vec![
                ("webhook-id", "msg_1".to_string()),
                ("webhook-timestamp", ts),
                ("webhook-signature", format!("v1,{}", b64(&mac))),
            ]
        }
    };
    (headers, query)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn source(platform: Platform) -> Source {
    let secret = match platform {
        // Standard Webhooks keys are base64 after `whsec_`.
        Platform::StandardWebhooks => format!("whsec_{}", b64(SECRET.as_bytes())),
        _ => SECRET.to_string(),
    };
    let mut settings = BTreeMap::new();
    settings.insert("channel_id".to_string(), "UCm7LqH3fQv9Xk2Zp8Rb4sTw".into());
    Source {
        id: "src_bench".into(),
        platform,
        name: "bench".into(),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: secret,
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings,
        credentials: Credentials::default(),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("platforms");
    for platform in Platform::ALL.iter().copied() {
        let (name, body) = largest_fixture(platform.as_str());
        let (header_list, query_list) = delivery(platform, &body);
        let mut headers = HeaderMap::new();
        for (k, v) in header_list {
            headers.insert(
                HeaderName::from_static(k),
                HeaderValue::from_str(&v).unwrap(),
            );
        }
        let query = QueryMap::from(
            query_list
                .into_iter()
                .collect::<std::collections::HashMap<String, String>>(),
        );
        let src = source(platform);
        let connector = for_platform(platform);
        let now = Utc::now();
        let req = HookRequest {
            url: "https://liaison.example/hooks/src_test",
            method: "POST",
            headers: &headers,
            query: &query,
            body: &body,
            now,
        };
        // The fixture must verify and give events, or the number would mean nothing.
        connector.verify(&req, &src).unwrap();
        let parsed = connector.parse(&req, &src).unwrap();
        assert!(
            !parsed.events.is_empty(),
            "{platform}: {name} gave no event"
        );
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(format!("{platform}/{name}/{}B", body.len()), |b| {
            b.iter(|| {
                let req = HookRequest {
                    url: "https://liaison.example/hooks/src_test",
                    method: "POST",
                    headers: &headers,
                    query: &query,
                    body: &body,
                    now,
                };
                connector.verify(&req, &src).unwrap();
                connector.parse(&req, &src).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
