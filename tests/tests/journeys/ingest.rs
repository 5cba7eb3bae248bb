//! A platform's view of ingestion, through the local runner: every genuine event kept
//! exactly once, every forged or invalid one refused with nothing stored or enqueued.

use e2e::SendChecked;
use e2e::{create_source, deliver, deliver_with, fixture, standard_signature};
use liaison_local::harness;
use serde_json::Value;
use shared::contracts::events::{Event, Message};

async fn json(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_signed_event_delivered_three_times_should_be_queued_once() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/comment-created.json");

    let (status, first) = json(deliver(&system, &source, "msg_triple", &body).await).await;
    assert_eq!(status, 202, "{first}");
    let id = first["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let (status, again) = json(deliver(&system, &source, "msg_triple", &body).await).await;
        assert_eq!(status, 200);
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["id"], id.as_str());
    }

    let queued = system.resources.peek_queue("ContributionsQueue").await;
    assert_eq!(queued.len(), 1);
    let message = Message::decode(queued[0].body().unwrap()).unwrap();
    assert_eq!(message.id, id);
    assert_eq!(message.source_id, source.id);
    assert_eq!(message.dedupe_key, "msg_triple");
    let Event::Contribution(c) = message.event else {
        panic!("expected a contribution")
    };
    assert_eq!(c.external_id, "wp-comment-18842");
    assert!(system
        .resources
        .peek_queue("CommerceQueue")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_forged_event_should_get_401_and_leave_no_trace() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/comment-created.json");
    let now = chrono::Utc::now().timestamp();
    let forged = standard_signature(
        "whsec_Zm9yZ2VkLWZvcmdlZC1mb3JnZWQtZm9yZ2Vk",
        "msg_forged",
        now,
        &body,
    );

    let (status, err) =
        json(deliver_with(&system, &source.id, "msg_forged", now, &forged, &body).await).await;
    assert_eq!(status, 401);
    assert_eq!(err["error"]["code"], "unauthorized");
    // Without a signature at all.
    let resp = reqwest::Client::new()
        .post(system.url(&format!("/hooks/{}", source.id)))
        .body(body.clone())
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    // A stale timestamp with an otherwise valid signature.
    let old = now - 301;
    let stale = standard_signature(&source.secret, "msg_stale", old, &body);
    assert_eq!(
        deliver_with(&system, &source.id, "msg_stale", old, &stale, &body)
            .await
            .status()
            .as_u16(),
        401
    );

    assert_eq!(system.resources.count_items("IdempotencyTable").await, 0);
    assert!(system
        .resources
        .peek_queue("ContributionsQueue")
        .await
        .is_empty());
    // The genuine one still goes through afterwards.
    assert_eq!(
        deliver(&system, &source, "msg_forged", &body)
            .await
            .status()
            .as_u16(),
        202
    );
}

#[tokio::test]
async fn an_oversized_body_should_get_413_and_leave_no_trace() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let filler = "x".repeat(256 * 1024);
    let body = format!(
        r#"{{"type":"contribution.created","data":{{"id":"big","kind":"comment","text":"{filler}","created_at":"2026-11-23T10:00:00Z","author":{{"name":"A"}}}}}}"#
    );
    let (status, err) = json(deliver(&system, &source, "msg_big", body.as_bytes()).await).await;
    assert_eq!(status, 413);
    assert_eq!(err["error"]["code"], "payload_too_large");
    assert_eq!(system.resources.count_items("IdempotencyTable").await, 0);
    assert!(system
        .resources
        .peek_queue("ContributionsQueue")
        .await
        .is_empty());
}

#[tokio::test]
async fn an_invalid_envelope_should_get_400_naming_the_field() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let cases: [(&[u8], &str); 3] = [
        (b"{not json", "body"),
        (br#"{"type":"contribution.created","data":{"id":"c1","kind":"comment","text":"hi","created_at":"2026-11-23T10:00:00Z","author":{"email":"nope"}}}"#, "data.author.email"),
        (br#"{"type":"order.placed","data":{"id":"o1","currency":"EUR","total":"10","lines":[]}}"#, "data.placed_at"),
    ];
    for (i, (body, field)) in cases.iter().enumerate() {
        let (status, err) =
            json(deliver(&system, &source, &format!("msg_bad_{i}"), body).await).await;
        assert_eq!(status, 400, "{err}");
        assert_eq!(err["error"]["field"], *field, "{err}");
        assert!(err["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(system.resources.count_items("IdempotencyTable").await, 0);
    assert!(system
        .resources
        .peek_queue("ContributionsQueue")
        .await
        .is_empty());
    assert!(system
        .resources
        .peek_queue("CommerceQueue")
        .await
        .is_empty());
}

#[tokio::test]
async fn an_unknown_source_should_get_404() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let body = fixture("standard-webhooks/comment-created.json");
    for id in ["src_aaaaaaaaaaaaaaaaaaaaaaaaaa", "not-a-source"] {
        let (status, err) = json(
            deliver_with(
                &system,
                id,
                "msg_1",
                chrono::Utc::now().timestamp(),
                "v1,AAAA",
                &body,
            )
            .await,
        )
        .await;
        assert_eq!(status, 404, "{id}");
        assert_eq!(err["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn commerce_events_should_go_to_the_commerce_queue() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "shop").await;
    for (id, file) in [
        ("msg_cart", "standard-webhooks/checkout-updated.json"),
        ("msg_order", "standard-webhooks/order-placed.json"),
    ] {
        assert_eq!(
            deliver(&system, &source, id, &fixture(file))
                .await
                .status()
                .as_u16(),
            202
        );
    }
    let queued = system.resources.peek_queue("CommerceQueue").await;
    assert_eq!(queued.len(), 2);
    assert!(system
        .resources
        .peek_queue("ContributionsQueue")
        .await
        .is_empty());
    for m in queued {
        let message = Message::decode(m.body().unwrap()).unwrap();
        assert!(matches!(message.event, Event::Commerce(_)));
    }
}

#[tokio::test]
async fn a_binary_content_type_should_arrive_base64_encoded_and_still_verify() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/review-created.json");
    let now = chrono::Utc::now().timestamp();
    let signature = standard_signature(&source.secret, "msg_b64", now, &body);
    let resp = reqwest::Client::new()
        .post(system.url(&format!("/hooks/{}", source.id)))
        .header("content-type", "application/octet-stream")
        .header("webhook-id", "msg_b64")
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
}

#[tokio::test]
async fn after_rotation_the_old_secret_should_still_verify_during_the_grace() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "shop").await;
    let token = system.token(&["liaison-admin"]);
    let rotated: Value = reqwest::Client::new()
        .post(system.url(&format!("/admin/sources/{}/rotate", source.id)))
        .bearer_auth(token)
        .send_checked()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, source.secret);
    assert!(rotated["previous_secret_valid_until"].is_string());

    let body = fixture("standard-webhooks/comment-created.json");
    assert_eq!(
        deliver(&system, &source, "msg_old_secret", &body)
            .await
            .status()
            .as_u16(),
        202
    );
    let renewed = e2e::TestSource {
        secret: new_secret,
        ..source
    };
    assert_eq!(
        deliver(&system, &renewed, "msg_new_secret", &body)
            .await
            .status()
            .as_u16(),
        202
    );
}

#[tokio::test]
async fn get_on_a_standard_webhooks_source_should_be_405() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = create_source(&system, "blog").await;
    let resp = reqwest::Client::new()
        .get(system.url(&format!("/hooks/{}", source.id)))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
}

#[tokio::test]
async fn a_flood_beyond_the_stage_throttle_should_get_429_before_any_function_runs() {
    let mut template = harness::template();
    for (name, value) in [("HooksBurstLimit", "3"), ("HooksRateLimit", "0.01")] {
        template.parameters.get_mut(name).unwrap().default = Some(value.into());
    }
    // The queue is looked at, not consumed.
    template
        .functions
        .retain(|f| !["identify", "carts"].contains(&f.binary.as_str()));
    let system = harness::system_with(template, liaison_local::registry::Registry::builtin()).await;
    // The source is created through the staff API, whose own limit is untouched.
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/comment-created.json");
    let mut statuses = Vec::new();
    for n in 0..5 {
        let resp = deliver(&system, &source, &format!("msg_flood_{n}"), &body).await;
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429]);
    // Nothing of the refused ones was kept.
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 3);
}
