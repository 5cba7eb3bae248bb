//! Platforms as they really send: each one's signing scheme and headers, written here
//! independently of the ingest code, so a test signs the way the platform does and not the
//! way Liaison checks.

use hmac::{Hmac, Mac};
use liaison_local::harness::TestSystem;
use reqwest::{Client, Response};
use serde_json::Value;
use sha2::Sha256;

use crate::{b64, SendChecked};

pub fn hmac_sha256(key: &str, data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn hmac_sha1(key: &str, data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How one platform signs a body: the header and its value.
pub fn signature_header(
    platform: &str,
    secret: &str,
    body: &[u8],
) -> Option<(&'static str, String)> {
    Some(match platform {
        "shopify" => ("x-shopify-hmac-sha256", b64(&hmac_sha256(secret, body))),
        "woocommerce" => ("x-wc-webhook-signature", b64(&hmac_sha256(secret, body))),
        "wordpress" => ("x-wp-webhook-signature", b64(&hmac_sha256(secret, body))),
        "discourse" => (
            "x-discourse-event-signature",
            format!("sha256={}", hex(&hmac_sha256(secret, body))),
        ),
        "meta" => (
            "x-hub-signature-256",
            format!("sha256={}", hex(&hmac_sha256(secret, body))),
        ),
        "x" => (
            "x-twitter-webhooks-signature",
            format!("sha256={}", b64(&hmac_sha256(secret, body))),
        ),
        "youtube" => (
            "x-hub-signature",
            format!("sha1={}", hex(&hmac_sha1(secret, body))),
        ),
        // Trustpilot signs nothing: its URL carries the token.
        _ => return None,
    })
}

/// A source registered through the admin API, with what was shown once.
pub struct Registered {
    pub id: String,
    pub platform: String,
    pub secret: String,
    pub created: Value,
}

pub async fn register(system: &TestSystem, request: Value) -> Registered {
    let resp = Client::new()
        .post(system.url("/admin/sources"))
        .bearer_auth(system.token(&["liaison-admin"]))
        .json(&request)
        .send_checked()
        .await
        .expect("admin reachable");
    assert_eq!(resp.status().as_u16(), 201, "registration refused");
    let created: Value = resp.json().await.expect("json");
    let secret = created["secret"]
        .as_str()
        .or(request["secret"].as_str())
        .expect("a secret given or shown once")
        .to_string();
    Registered {
        id: created["id"].as_str().expect("id").to_string(),
        platform: request["platform"].as_str().expect("platform").to_string(),
        secret,
        created,
    }
}

/// Posts `body` to the source's URL with `headers`, signed with `secret` as the platform
/// signs (Trustpilot: the token in the URL).
pub async fn post_signed(
    system: &TestSystem,
    source: &Registered,
    secret: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    post_signed_over(system, source, secret, headers, body, body).await
}

/// Posts `sent` with the signature of `signed`: a forgery when the two differ.
pub async fn post_signed_over(
    system: &TestSystem,
    source: &Registered,
    secret: &str,
    headers: &[(&str, &str)],
    signed: &[u8],
    sent: &[u8],
) -> Response {
    let mut url = system.url(&format!("/hooks/{}", source.id));
    if source.platform == "trustpilot" {
        url.push_str(&format!("?token={secret}"));
    }
    let mut req = Client::new().post(url).body(sent.to_vec());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some((name, value)) = signature_header(&source.platform, secret, signed) {
        req = req.header(name, value);
    }
    req.send_checked().await.expect("runner reachable")
}

pub async fn get(system: &TestSystem, source: &Registered, query: &[(&str, &str)]) -> Response {
    Client::new()
        .get(system.url(&format!("/hooks/{}", source.id)))
        .query(query)
        .send_checked()
        .await
        .expect("runner reachable")
}

/// What staff see of a source's ignored bodies (`GET /admin/sources/{id}/ignored`).
pub async fn list_ignored(system: &TestSystem, source: &Registered) -> Value {
    Client::new()
        .get(system.url(&format!("/admin/sources/{}/ignored", source.id)))
        .bearer_auth(system.token(&["liaison-admin"]))
        .send_checked()
        .await
        .expect("admin reachable")
        .json()
        .await
        .expect("json")
}

/// Hélène (`@helene.lumiere`) and Ada (`@ada_lovelace`) comment on the brand's Instagram post:
/// a Meta source registered, and its fixture delivered signed.
pub async fn instagram_comments(system: &TestSystem) -> Registered {
    const SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015";
    let meta = register(
        system,
        serde_json::json!({"platform": "meta", "name": "Instagram", "secret": SECRET}),
    )
    .await;
    let resp = post_signed(
        system,
        &meta,
        SECRET,
        &[("content-type", "application/json")],
        &crate::fixture("meta/instagram-comments.json"),
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    meta
}
