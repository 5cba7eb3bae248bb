//! Helpers for the end-to-end tests: a platform that signs like Standard Webhooks senders do,
//! and a staff member with a token. Every answer they receive from the API is checked against
//! docs/openapi.yaml ([`contract`], [`SendChecked`]).

pub mod contract;
pub mod platforms;

pub use contract::SendChecked;

use base64::Engine;
use liaison_local::harness::TestSystem;
use reqwest::{Client, Response};
use serde_json::Value;

/// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`, key = base64 of the secret,
/// written here from the specification rather than borrowed from Liaison's own signer, so a
/// mistake shared by both sides could not pass.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .expect("a whsec_ secret");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", b64.encode(mac.finalize().into_bytes()))
}

/// A registered Standard Webhooks source.
pub struct TestSource {
    pub id: String,
    pub secret: String,
    pub webhook_url: String,
}

pub async fn create_source(system: &TestSystem, name: &str) -> TestSource {
    let token = system.token(&["liaison-admin"]);
    let created: Value = Client::new()
        .post(system.url("/admin/sources"))
        .bearer_auth(token)
        .json(&serde_json::json!({"platform": "standard-webhooks", "name": name}))
        .send_checked()
        .await
        .expect("admin reachable")
        .json()
        .await
        .expect("json");
    TestSource {
        id: created["id"].as_str().expect("id").to_string(),
        secret: created["secret"]
            .as_str()
            .expect("generated secret")
            .to_string(),
        webhook_url: created["webhook_url"]
            .as_str()
            .expect("webhook_url")
            .to_string(),
    }
}

/// Posts `body` signed with `secret` as a Standard Webhooks sender would.
pub async fn deliver(system: &TestSystem, source: &TestSource, id: &str, body: &[u8]) -> Response {
    let now = chrono::Utc::now().timestamp();
    let signature = standard_signature(&source.secret, id, now, body);
    deliver_with(system, &source.id, id, now, &signature, body).await
}

pub async fn deliver_with(
    system: &TestSystem,
    source_id: &str,
    id: &str,
    timestamp: i64,
    signature: &str,
    body: &[u8],
) -> Response {
    Client::new()
        .post(system.url(&format!("/hooks/{source_id}")))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_vec())
        .send_checked()
        .await
        .expect("runner reachable")
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn fixture(path: &str) -> Vec<u8> {
    let full = liaison_local::stack::repo_root()
        .join("functions/ingest/events")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// A system whose identify reads the brand's settings (rules, corrections) afresh for every
/// message, so that a change applies at once in a test (one Query a message; deployed, once
/// a minute).
pub async fn system_reading_settings_afresh() -> liaison_local::harness::TestSystem {
    let mut template = liaison_local::harness::template();
    for f in &mut template.functions {
        if f.binary == "identify" {
            f.environment
                .insert("SETTINGS_CACHE_SECONDS".into(), serde_json::json!("0"));
        }
    }
    liaison_local::harness::system_with(template, liaison_local::registry::Registry::builtin())
        .await
}

/// A staff call through the runner as a member of `group`: the status and the JSON body
/// (`Null` when there is none), once checked against docs/openapi.yaml ([`contract`]).
pub async fn staff(
    system: &TestSystem,
    method: &str,
    path: &str,
    group: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = Client::new()
        .request(method.parse().expect("a method"), system.url(path))
        .bearer_auth(system.token(&[group]));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send_checked().await.expect("runner reachable");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The recorded contribution `event_id`, once the runner has handed it to identify
/// (`None` after 10 s).
pub async fn recorded(system: &TestSystem, event_id: &str) -> Option<Value> {
    for _ in 0..100 {
        if let Some(record) = recorded_now(system, event_id).await {
            return Some(record);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

/// The recorded contribution `event_id` as it is now (a consistent read).
pub async fn recorded_now(system: &TestSystem, event_id: &str) -> Option<Value> {
    let out = system
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(system.resources.table("ContributionsTable"))
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S(event_id.to_string()),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("DynamoDB Local reachable");
    out.item
        .map(|item| serde_dynamo::from_item(item).expect("a recorded contribution"))
}

/// Delivers a Standard Webhooks `contribution.created` and returns the event id ingest gave it.
pub async fn deliver_contribution(
    system: &TestSystem,
    source: &TestSource,
    webhook_id: &str,
    data: Value,
) -> String {
    let body = serde_json::json!({"type": "contribution.created", "data": data}).to_string();
    let resp = deliver(system, source, webhook_id, body.as_bytes()).await;
    assert_eq!(resp.status().as_u16(), 202, "delivery of {webhook_id}");
    let answer: Value = resp.json().await.expect("json");
    answer["id"].as_str().expect("an event id").to_string()
}

/// The cart `id` once `ready` holds of it (10 s at most).
pub async fn cart_when(
    system: &TestSystem,
    id: &str,
    ready: impl Fn(&shared::contracts::carts::CartRecord) -> bool,
) -> shared::contracts::carts::CartRecord {
    for _ in 0..100 {
        let found = shared::contracts::carts::get(
            &system.resources.clients.dynamodb,
            &system.resources.table("CartsTable"),
            id,
        )
        .await
        .expect("CartsTable readable");
        if let Some(cart) = found.filter(|c| ready(c)) {
            return cart;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("cart {id} never got there");
}

/// The id of the case identify opened for the contribution `event_id` (10 s at most).
pub async fn case_id_of(system: &TestSystem, event_id: &str) -> String {
    for _ in 0..100 {
        let out = system
            .resources
            .clients
            .dynamodb
            .scan()
            .table_name(system.resources.table("CasesTable"))
            .send()
            .await
            .expect("DynamoDB Local reachable");
        let found = out.items().iter().find_map(|c| {
            (c.get("event_id")?.as_s().ok()? == event_id)
                .then(|| c.get("id")?.as_s().ok().cloned())
                .flatten()
        });
        if let Some(id) = found {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no case for {event_id}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signer_should_reproduce_the_published_vector() {
        let sig = standard_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
