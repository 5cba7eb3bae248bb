//! Every platform through the local runner, as the platform itself would call it: a
//! realistic payload signed its way lands, normalised, in the right queue; a second
//! delivery is a duplicate; a wrong signature is refused with nothing stored; and the
//! platform's handshake is answered.

use e2e::fixture;
use e2e::platforms::{
    get, hmac_sha256, list_ignored, post_signed, post_signed_over, register, Registered,
};
use e2e::SendChecked;
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use shared::contracts::events::{Event, Message};

struct Case {
    registration: Value,
    fixture: &'static str,
    headers: &'static [(&'static str, &'static str)],
    queue: &'static str,
    /// New events the fixture holds.
    events: usize,
}

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Genuine delivery, its retry, then a forgery; returns the system for the handshake checks.
async fn deliver_genuine_duplicate_and_forged(
    case: Case,
) -> (TestSystem, Registered, Vec<Message>) {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = register(&system, case.registration).await;
    let body = fixture(case.fixture);

    let (status, first) =
        json_of(post_signed(&system, &source, &source.secret, case.headers, &body).await).await;
    assert_eq!(status, 202, "{first}");
    let queued = system.resources.peek_queue(case.queue).await;
    assert_eq!(queued.len(), case.events, "{first}");
    let messages: Vec<Message> = queued
        .iter()
        .map(|m| Message::decode(m.body().unwrap()).unwrap())
        .collect();
    for m in &messages {
        assert_eq!(m.source_id, source.id);
        assert_eq!(m.platform.as_str(), source.platform);
        let attrs = queued[0].message_attributes().unwrap();
        assert_eq!(
            attrs["platform"].string_value(),
            Some(source.platform.as_str())
        );
    }
    let other = if case.queue == "CommerceQueue" {
        "ContributionsQueue"
    } else {
        "CommerceQueue"
    };
    assert_eq!(system.resources.queue_depth(other).await, 0);

    // The platform retries: one effect.
    let (status, again) =
        json_of(post_signed(&system, &source, &source.secret, case.headers, &body).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(system.resources.queue_depth(case.queue).await, case.events);

    // A forgery: refused, nothing written anywhere.
    let claims = system.resources.count_items("IdempotencyTable").await;
    let ignored = system.resources.count_items("IgnoredTable").await;
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    // Signed over the genuine bytes: with a wrong key, or with the right key over other bytes.
    for (secret, sent) in [
        ("not-the-secret-at-all", &body),
        (source.secret.as_str(), &tampered),
    ] {
        let resp = post_signed_over(&system, &source, secret, case.headers, &body, sent).await;
        let (status, err) = json_of(resp).await;
        if source.platform == "trustpilot" && sent == &tampered {
            // No signature covers the body: the right token accepts it.
            assert!(status == 202 || status == 200, "{err}");
            continue;
        }
        assert_eq!(status, 401, "{err}");
        assert_eq!(err["error"]["code"], "unauthorized");
    }
    if source.platform != "trustpilot" {
        assert_eq!(
            system.resources.count_items("IdempotencyTable").await,
            claims
        );
        assert_eq!(system.resources.count_items("IgnoredTable").await, ignored);
        assert_eq!(system.resources.queue_depth(case.queue).await, case.events);
    }
    (system, source, messages)
}

async fn get_is_405(system: &TestSystem, source: &Registered) {
    assert_eq!(get(system, source, &[]).await.status().as_u16(), 405);
}

#[tokio::test]
async fn shopify_checkout_should_be_queued_once_and_a_forgery_refused() {
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "shopify", "name": "Maison Lumière", "secret": "shpss_5e7f3c1d9b2a4e6f8a0c"}),
        fixture: "shopify/checkouts-update.json",
        headers: &[
            ("x-shopify-topic", "checkouts/update"),
            ("x-shopify-event-id", "4cf7b32a-6a4e-4b8e-9d5c-61a0b7f2d0aa"),
            ("x-shopify-webhook-id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
            ("content-type", "application/json"),
        ],
        queue: "CommerceQueue",
        events: 1,
    })
    .await;
    assert_eq!(
        messages[0].dedupe_key,
        "event:4cf7b32a-6a4e-4b8e-9d5c-61a0b7f2d0aa"
    );
    // Shopify has no handshake: a GET is not a delivery.
    get_is_405(&system, &source).await;
}

#[tokio::test]
async fn woocommerce_ping_should_get_200_and_orders_be_queued_once() {
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "woocommerce", "name": "Boutique"}),
        fixture: "woocommerce/order-created-pending.json",
        headers: &[
            ("x-wc-webhook-topic", "order.created"),
            ("x-wc-webhook-delivery-id", "a1b2c3"),
        ],
        queue: "CommerceQueue",
        events: 1,
    })
    .await;
    assert!(messages[0].dedupe_key.starts_with("order:4187:"));
    let ping = reqwest::Client::new()
        .post(system.url(&format!("/hooks/{}", source.id)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(fixture("woocommerce/ping.txt"))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(ping.status().as_u16(), 200);
    assert_eq!(system.resources.queue_depth("CommerceQueue").await, 1);
}

#[tokio::test]
async fn wordpress_comment_should_be_queued_once_with_its_moderation_state() {
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "wordpress", "name": "Blog", "settings": {"site_url": "https://maison-lumiere.fr"}}),
        fixture: "wordpress/update-comment-held.json",
        headers: &[("x-wp-webhook-name", "update_comment"), ("content-type", "application/json")],
        queue: "ContributionsQueue",
        events: 1,
    })
    .await;
    let Event::Contribution(c) = &messages[0].event else {
        panic!("a contribution")
    };
    assert_eq!(
        c.moderation,
        shared::contracts::events::ModerationState::Pending
    );
    get_is_405(&system, &source).await;
}

#[tokio::test]
async fn discourse_post_should_be_queued_once_and_a_ping_answered() {
    let (system, source, _) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "discourse", "name": "Forum"}),
        fixture: "discourse/post-created.json",
        headers: &[
            ("x-discourse-event", "post_created"),
            ("x-discourse-event-type", "post"),
            ("x-discourse-event-id", "901"),
            (
                "x-discourse-instance",
                "https://communaute.maison-lumiere.fr",
            ),
        ],
        queue: "ContributionsQueue",
        events: 1,
    })
    .await;
    let (status, _) = json_of(
        post_signed(
            &system,
            &source,
            &source.secret,
            &[
                ("x-discourse-event", "ping"),
                ("x-discourse-event-type", "ping"),
            ],
            &fixture("discourse/ping.json"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 1);
}

#[tokio::test]
async fn a_discourse_private_message_should_be_acknowledged_without_keeping_its_text() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = register(&system, json!({"platform": "discourse", "name": "Forum"})).await;
    let body = String::from_utf8(fixture("discourse/post-created.json"))
        .unwrap()
        .replace(
            "\"topic_archetype\":\"regular\"",
            "\"topic_archetype\":\"private_message\"",
        )
        .replace(
            "\"topic_archetype\": \"regular\"",
            "\"topic_archetype\": \"private_message\"",
        );
    assert!(body.contains("private_message"));
    let headers = [
        ("x-discourse-event", "post_created"),
        ("x-discourse-event-type", "post"),
    ];
    let (status, answer) =
        json_of(post_signed(&system, &source, &source.secret, &headers, body.as_bytes()).await)
            .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 0);
    let listed = list_ignored(&system, &source).await;
    let record = &listed["ignored"][0];
    assert!(
        record["reasons"].to_string().contains("private_message"),
        "{listed}"
    );
    assert!(
        !record["body"].as_str().unwrap().contains("Lampe"),
        "{listed}"
    );
}

#[tokio::test]
async fn meta_batch_should_give_one_event_per_change_and_the_verification_its_challenge() {
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "meta", "name": "Page", "secret": "9f86d081884c7d659a2feaa0c55ad015"}),
        fixture: "meta/page-feed-batch.json",
        headers: &[("content-type", "application/json")],
        queue: "ContributionsQueue",
        events: 5,
    })
    .await;
    let mut keys: Vec<&str> = messages.iter().map(|m| m.dedupe_key.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 5);
    // The reaction in the batch was kept as ignored, with its raw body, for staff to see.
    let listed = list_ignored(&system, &source).await;
    let ignored = listed["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 1, "{listed}");
    assert!(ignored[0]["reasons"]
        .to_string()
        .contains("unsupported_item"));
    assert_eq!(
        ignored[0]["body"].as_str().unwrap().as_bytes(),
        fixture("meta/page-feed-batch.json")
    );

    let token = source.created["generated_credentials"]["verify_token"]
        .as_str()
        .unwrap();
    let query = |t: &'static str| {
        [
            ("hub.mode", "subscribe"),
            ("hub.challenge", "1158201444"),
            ("hub.verify_token", t),
        ]
    };
    let token: &'static str = Box::leak(token.to_string().into_boxed_str());
    let ok = get(&system, &source, &query(token)).await;
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    assert_eq!(
        get(&system, &source, &query("guessed"))
            .await
            .status()
            .as_u16(),
        403
    );
}

#[tokio::test]
async fn x_mentions_should_be_queued_once_and_the_crc_answered() {
    let secret = "xConsumerSecret0123456789abcdefghij";
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "x", "name": "@MaisonLumiere", "secret": secret}),
        fixture: "x/tweet-create-events.json",
        headers: &[("content-type", "application/json")],
        queue: "ContributionsQueue",
        events: 2,
    })
    .await;
    assert!(messages.iter().all(|m| m.dedupe_key.starts_with("tweet:")));
    let (status, crc) = json_of(get(&system, &source, &[("crc_token", "abc123")]).await).await;
    assert_eq!(status, 200);
    let expected = format!("sha256={}", e2e::b64(&hmac_sha256(secret, b"abc123")));
    assert_eq!(crc["response_token"], expected.as_str());
    // Only X's token shape is signed: the endpoint is no oracle for any string.
    let (status, refused) =
        json_of(get(&system, &source, &[("crc_token", r#"{"a":1}"#)]).await).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["field"], "crc_token");
    assert!(refused.get("response_token").is_none());
}

#[tokio::test]
async fn youtube_video_should_be_queued_once_and_only_our_topic_verified() {
    let channel = "UCm7LqH3fQv9Xk2Zp8Rb4sTw";
    let (system, source, _) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "youtube", "name": "Chaîne", "settings": {"channel_id": channel}}),
        fixture: "youtube/video-published.xml",
        headers: &[("content-type", "application/atom+xml")],
        queue: "ContributionsQueue",
        events: 1,
    })
    .await;
    let topic = format!("https://www.youtube.com/xml/feeds/videos.xml?channel_id={channel}");
    let verify = [
        ("hub.mode", "subscribe"),
        ("hub.topic", topic.as_str()),
        ("hub.challenge", "c-77"),
        ("hub.lease_seconds", "432000"),
    ];
    // Someone else asked the hub to send our channel to this callback: not confirmed.
    assert_eq!(get(&system, &source, &verify).await.status().as_u16(), 404);
    // The poller marks its own request before it asks the hub.
    shared::contracts::sources::SourceStore::new(
        system.resources.clients.dynamodb.clone(),
        system.resources.table("SourcesTable"),
    )
    .mark_websub_request(&source.id, chrono::Utc::now())
    .await
    .unwrap();
    let resp = get(&system, &source, &verify).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap(), "c-77");
    let other = get(
        &system,
        &source,
        &[
            ("hub.mode", "subscribe"),
            (
                "hub.topic",
                "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCx",
            ),
            ("hub.challenge", "c-78"),
        ],
    )
    .await;
    assert_eq!(other.status().as_u16(), 404);
}

#[tokio::test]
async fn trustpilot_review_should_need_the_url_token() {
    let (system, source, messages) = deliver_genuine_duplicate_and_forged(Case {
        registration: json!({"platform": "trustpilot", "name": "Avis"}),
        fixture: "trustpilot/service-review-created.json",
        headers: &[("content-type", "application/json")],
        queue: "ContributionsQueue",
        events: 1,
    })
    .await;
    let Event::Contribution(c) = &messages[0].event else {
        panic!("a contribution")
    };
    assert_eq!(c.rating, Some(4));
    // The URL shown once carries the token.
    let url = source.created["webhook_url"].as_str().unwrap();
    assert!(url.ends_with(&format!("?token={}", source.secret)));
    // A GET (or any request) without the token is refused before anything is read.
    assert_eq!(get(&system, &source, &[]).await.status().as_u16(), 405);
}

#[tokio::test]
async fn a_source_owner_should_see_each_delivery_and_what_liaison_answered() {
    let system = harness::system_without(&["identify", "carts"]).await;
    let source = register(&system, json!({"platform": "discourse", "name": "Forum"})).await;
    let post = [
        ("x-discourse-event", "post_created"),
        ("x-discourse-event-type", "post"),
    ];
    let ping = [
        ("x-discourse-event", "ping"),
        ("x-discourse-event-type", "ping"),
    ];
    let body = fixture("discourse/post-created.json");
    let sent = [
        (&ping[..], &source.secret, fixture("discourse/ping.json")),
        (&post[..], &source.secret, body.clone()),
        (&post[..], &source.secret, body.clone()),
        (&post[..], &"not-the-secret".to_string(), body.clone()),
    ];
    let mut answered = Vec::new();
    for (headers, secret, body) in &sent {
        let (status, _) = json_of(post_signed(&system, &source, secret, headers, body).await).await;
        answered.push(status);
    }
    assert_eq!(answered, [200, 202, 200, 401]);

    let path = format!("/admin/sources/{}/received", source.id);
    let (status, listed) = e2e::staff(&system, "GET", &path, "liaison-admin", None).await;
    assert_eq!(status, 200, "{listed}");
    let received = listed["received"].as_array().unwrap();
    let seen: Vec<(&str, u64)> = received
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("refused", 401),
            ("duplicate", 200),
            ("accepted", 202),
            ("ping", 200)
        ],
        "newest first: {listed}"
    );
    let (refused, duplicate, accepted) = (&received[0], &received[1], &received[2]);
    assert_eq!(refused["error_code"], "unauthorized");
    assert_eq!(accepted["event"], "post_created");
    assert_eq!(accepted["events"][0]["duplicate"], false);
    assert_eq!(duplicate["events"][0]["id"], accepted["events"][0]["id"]);
    assert!(
        !listed.to_string().contains("Lampe") && received[0].get("ttl").is_none(),
        "no text kept, no storage detail shown: {listed}"
    );

    // Refusals are spaced: a flood of forgeries is one receipt, not one per request.
    for _ in 0..5 {
        let forged = post_signed(&system, &source, "forged", &post, &body).await;
        assert_eq!(forged.status().as_u16(), 401);
    }
    assert_eq!(system.resources.count_items("ReceivedTable").await, 4);
    // Only admins configure sources and read their deliveries.
    let (status, _) = e2e::staff(&system, "GET", &path, "liaison-support", None).await;
    assert_eq!(status, 403);
}
