//! CPU per ingested webhook, excluding network: verify the Standard Webhooks signature on the
//! raw bytes, then parse and normalise the envelope. Budget: ≤ 10 µs for a 5 KB payload.

use std::collections::BTreeMap;

use aws_lambda_events::http::{HeaderMap, HeaderValue};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;
use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ingest::connectors::{standard_webhooks::StandardWebhooks, Connector};
use ingest::request::HookRequest;
use ingest::signature::hmac_sha256;
use shared::contracts::sources::{Platform, SigningSecret, Source, KIND};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A realistic contribution padded to about `size` bytes of comment text.
fn body(size: usize) -> Vec<u8> {
    let base = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/events/standard-webhooks/comment-created.json"
    ))
    .unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&base).unwrap();
    let sentence =
        "La théière est arrivée fêlée, et le service client ne répond pas depuis trois jours. ";
    let mut text = String::new();
    while text.len() + base.len() < size {
        text.push_str(sentence);
    }
    value["data"]["text"] = text.into();
    serde_json::to_vec(&value).unwrap()
}

fn bench(c: &mut Criterion) {
    let source = Source {
        id: "src_bench".into(),
        platform: Platform::StandardWebhooks,
        name: "bench".into(),
        created_at: Utc::now(),
        secrets: vec![SigningSecret {
            value: SECRET.into(),
            created_at: Utc::now(),
            expires_at: None,
        }],
        settings: BTreeMap::new(),
        credentials: Default::default(),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.trim_start_matches("whsec_"))
        .unwrap();
    let mut group = c.benchmark_group("standard_webhooks");
    for size in [1024usize, 5 * 1024, 64 * 1024] {
        let payload = body(size);
        let now = Utc::now();
        let ts = now.timestamp().to_string();
        let mac = hmac_sha256(&key, &[b"msg_bench", b".", ts.as_bytes(), b".", &payload]);
        let signature = format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(mac)
        );
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", HeaderValue::from_static("msg_bench"));
        headers.insert("webhook-timestamp", HeaderValue::from_str(&ts).unwrap());
        headers.insert(
            "webhook-signature",
            HeaderValue::from_str(&signature).unwrap(),
        );
        let query = QueryMap::default();
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function(format!("verify_parse_normalise_{}B", payload.len()), |b| {
            b.iter(|| {
                let req = HookRequest {
                    url: "https://liaison.example/hooks/src_test",
                    method: "POST",
                    headers: &headers,
                    query: &query,
                    body: &payload,
                    now,
                };
                StandardWebhooks.verify(&req, &source).unwrap();
                StandardWebhooks.parse(&req, &source).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
