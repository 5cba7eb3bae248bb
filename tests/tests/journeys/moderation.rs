//! Moderation end to end: a held spam comment is decided as spam, the decision reaches the
//! platform's callback URL as a signed Standard Webhooks request (retried after a 503, with
//! the same webhook id), staff list and change the decision, and the change is sent too.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use e2e::{deliver_contribution, recorded, staff, standard_signature, TestSource};
use liaison_local::harness;
use liaison_local::registry::Registry;
use serde_json::{json, Value};

/// One request the receiver got: its Standard Webhooks headers and body.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: Vec<u8>,
}

/// A platform's callback endpoint: answers 503 to its first request, 204 after.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().route(
        "/moderation",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let mut log = log.lock().unwrap();
                log.push(Received {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
                    signature: header("webhook-signature"),
                    body: body.to_vec(),
                });
                if log.len() == 1 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/moderation", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn requests(log: &Arc<Mutex<Vec<Received>>>, n: usize) -> Vec<Received> {
    for _ in 0..150 {
        let got = log.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} callbacks: {:?}", log.lock().unwrap());
}

#[tokio::test]
async fn a_held_comment_should_be_decided_listed_changed_and_told_to_the_platform() {
    let (url, log) = receiver().await;
    let mut template = harness::template();
    for f in &mut template.functions {
        if f.binary == "moderation-callbacks" {
            f.environment
                .insert("CALLBACK_FIRST_BACKOFF_SECONDS".into(), json!("1"));
        }
    }
    let system = harness::system_with(template, Registry::builtin()).await;
    let (status, created) = staff(
        &system,
        "POST",
        "/admin/sources",
        "liaison-admin",
        Some(json!({"platform": "standard-webhooks", "name": "blog",
                    "settings": {"moderation_callback_url": url}})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let callback_secret = created["generated_credentials"]["moderation_callback_secret"]
        .as_str()
        .expect("a generated callback secret, shown once")
        .to_string();
    let source = TestSource {
        id: created["id"].as_str().unwrap().to_string(),
        secret: created["secret"].as_str().unwrap().to_string(),
        webhook_url: created["webhook_url"].as_str().unwrap().to_string(),
    };

    let spam = deliver_contribution(&system, &source, "w1", json!({
        "id": "c-held", "kind": "comment", "moderation": "pending", "created_at": "2026-11-23T10:00:00Z",
        "text": "Earn $900 per day from home with crypto trading!!! Check my profile https://quick-cash-example.biz",
        "author": {"name": "promo", "email": "promo@example.biz"}})).await;
    let record = recorded(&system, &spam).await.expect("recorded");
    assert_eq!(record["moderation"]["decision"], "spam", "{record}");

    // Refused once with a 503, then delivered: the same webhook id both times, each signed.
    let got = requests(&log, 2).await;
    assert_eq!(got[0].id, got[1].id);
    for r in &got {
        assert_eq!(
            r.signature,
            standard_signature(&callback_secret, &r.id, r.timestamp, &r.body)
        );
    }
    let payload: Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(payload["type"], "contribution.moderated");
    assert_eq!(payload["data"]["contribution_id"], spam.as_str());
    assert_eq!(payload["data"]["external_id"], "c-held");
    assert_eq!(payload["data"]["decision"], "spam");
    assert!(
        !String::from_utf8_lossy(&got[1].body).contains("per day from home"),
        "never the text"
    );

    // Staff see it among the spam, not among the held.
    let (_, listed) = staff(
        &system,
        "GET",
        "/admin/moderation?decision=spam",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(listed["contributions"][0]["id"], spam.as_str(), "{listed}");
    // The inbox's filters: its source and its label keep it, another platform does not.
    for (query, kept) in [
        (format!("source={}&label=spam", source.id), true),
        ("source=src_other".to_string(), false),
        ("platform=trustpilot".to_string(), false),
        ("label=incident".to_string(), false),
    ] {
        let path = format!("/admin/moderation?decision=spam&{query}");
        let (status, body) = staff(&system, "GET", &path, "liaison-support", None).await;
        assert_eq!(status, 200, "{query}: {body}");
        let found = body["contributions"].as_array().unwrap();
        assert_eq!(found.len(), usize::from(kept), "{query}: {body}");
    }
    let path = "/admin/moderation?assignee=agent-7";
    let (status, body) = staff(&system, "GET", path, "liaison-support", None).await;
    assert_eq!((status, &body["error"]["field"]), (400, &json!("assignee")));
    let (_, held) = staff(&system, "GET", "/admin/moderation", "liaison-support", None).await;
    assert_eq!(held["contributions"], json!([]));
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/moderation?decision=maybe",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // A person approves it: recorded with who and why, the earlier decision kept, and sent.
    let path = format!("/admin/moderation/{spam}");
    let approve = json!({"decision": "approve", "reason": "a real customer, sarcastic"});
    let (status, _) = staff(
        &system,
        "PUT",
        &path,
        "liaison-sales",
        Some(approve.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, changed) = staff(
        &system,
        "PUT",
        &path,
        "liaison-support",
        Some(approve.clone()),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["callback_queued"], true);
    let got = requests(&log, 3).await;
    let third: Value = serde_json::from_slice(&got[2].body).unwrap();
    assert_eq!(third["data"]["decision"], "approve");
    assert_eq!(third["data"]["decided_by"], "test-user");
    assert_ne!(got[2].id, got[0].id, "a new decision, a new webhook id");
    // The same change again (a retry): no new decision, the same callback id again.
    let (status, again) = staff(&system, "PUT", &path, "liaison-support", Some(approve)).await;
    assert_eq!(status, 200);
    assert_eq!(
        again["moderation"]["decided_at"],
        changed["moderation"]["decided_at"]
    );
    let got = requests(&log, 4).await;
    assert_eq!(got[3].id, got[2].id);

    let (_, approved) = staff(
        &system,
        "GET",
        "/admin/moderation?decision=approve",
        "liaison-admin",
        None,
    )
    .await;
    let item = &approved["contributions"][0];
    assert_eq!(
        item["moderation"]["reasons"],
        json!(["a real customer, sarcastic"])
    );
    assert_eq!(item["moderation_history"][0]["decision"], "spam");
    // The history lives in the contribution's item (400 KB at most): twenty changes, then 409.
    for n in 1..20 {
        let decision = if n % 2 == 1 { "hold" } else { "approve" };
        let (status, body) = staff(
            &system,
            "PUT",
            &path,
            "liaison-support",
            Some(json!({"decision": decision})),
        )
        .await;
        assert_eq!(status, 200, "change {n}: {body}");
    }
    let (status, body) = staff(
        &system,
        "PUT",
        &path,
        "liaison-support",
        Some(json!({"decision": "spam"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("20 times"));

    // Only held contributions have a decision to change.
    let published = deliver_contribution(
        &system,
        &source,
        "w2",
        json!({
        "id": "c-pub", "kind": "comment", "created_at": "2026-11-23T10:00:00Z",
        "text": "Très belle lampe", "author": {"name": "A", "email": "a@example.org"}}),
    )
    .await;
    recorded(&system, &published).await.expect("recorded");
    let (status, _) = staff(
        &system,
        "PUT",
        &format!("/admin/moderation/{published}"),
        "liaison-support",
        Some(json!({"decision": "spam"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = staff(
        &system,
        "PUT",
        "/admin/moderation/evt_nothing",
        "liaison-support",
        Some(json!({"decision": "spam"})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        system
            .resources
            .queue_depth("ModerationCallbacksDeadLetterQueue")
            .await,
        0
    );

    // The owner stops the callbacks: the URL goes (null removes a setting), and the secret
    // that signed them with it; a secret given without a URL is still refused by name.
    let access = format!("/admin/sources/{}/credentials", source.id);
    let stop = json!({"settings": {"moderation_callback_url": null}});
    let (status, updated) = staff(&system, "PUT", &access, "liaison-admin", Some(stop)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["credentials"], json!([]), "{updated}");
    let (_, shown) = staff(
        &system,
        "GET",
        &format!("/admin/sources/{}", source.id),
        "liaison-admin",
        None,
    )
    .await;
    assert!(
        shown["settings"].get("moderation_callback_url").is_none(),
        "{shown}"
    );
    let lone = json!({"credentials": {"moderation_callback_secret": callback_secret}});
    let (status, refused) = staff(&system, "PUT", &access, "liaison-admin", Some(lone)).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(
        refused["error"]["field"],
        "credentials.moderation_callback_secret"
    );
}
