//! A connection list is several queue messages: what happens when SQS fails part-way
//! through them (faults injected in front of the emulators, `liaison_stack::faults`).
//!
//! The first SendMessageBatch reaches SQS but its answer is lost, then SQS throttles the
//! SDK's retries: parts 0 and 1 of 5 are queued, 2 to 4 are not, and the request fails
//! (the platform gets a 503). The claim is given back, so the platform's retry queues all
//! five parts under the same message ids; the consumer applies each id once. A third
//! delivery is a duplicate and queues nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use ingest::intake::Intake;
use ingest::request::Normalised;
use ingest::social;
use liaison_stack::faults::{Fault, Faults};
use liaison_stack::harness;
use serde_json::json;
use shared::contracts::events::{Event, Message, SocialEvent};
use shared::contracts::sources::{Platform, Source, KIND};
use shared::kit::clock::Clock;

fn source() -> Source {
    Source {
        id: "src_faultsfaultsfaultsfaultsfa".into(),
        platform: Platform::StandardWebhooks,
        name: "shop".into(),
        created_at: Utc::now(),
        secrets: Vec::new(),
        settings: BTreeMap::new(),
        credentials: Default::default(),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    }
}

/// 2,000 connections of about 250 bytes: 5 parts of 400 (about 100 KB each), so that a
/// SendMessageBatch call carries two of them.
fn list() -> Normalised {
    let connections: Vec<_> = (0..2_000)
        .map(|i| {
            json!({"id": format!("17841400{i:08}"), "handle": format!("@follower_{i:05}_{}", "x".repeat(60)),
                   "name": format!("Follower {i} {}", "y".repeat(110)), "relation": "follower", "strength": 0.25})
        })
        .collect();
    let data = json!({"platform": "instagram", "account": {"id": "1789"},
                      "customer": {"id": "cus_1"}, "connections": connections});
    let (event, report) = social::connected(&data.to_string()).expect("a valid list");
    assert_eq!(report.accepted, 2_000);
    Normalised {
        dedupe_key: "msg_faults".into(),
        event,
    }
}

#[tokio::test]
async fn when_a_batch_fails_part_way_the_retry_should_queue_every_part_under_the_same_ids() {
    let resources = harness::resources().await;
    let env = resources.function_env("ingest");
    let faults = Faults::new();
    let sdk = faults.config(&shared::kit::aws::sdk_config(&env).await);
    let dynamodb = shared::kit::aws::dynamodb(&sdk, &env);
    let intake = Intake::from_env(&env, &sdk, dynamodb, Clock::system()).expect("intake");
    let source = source();

    faults.inject("SendMessageBatch", Fault::LoseResponse, 1);
    faults.inject("SendMessageBatch", Fault::Throttle, 2);
    let err = intake
        .accept(&source, list(), "req-1")
        .await
        .expect_err("SQS failed");
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(err.status(), 503);
    assert_eq!(faults.injected().len(), 3);
    assert_eq!(
        resources.queue_depth("ReferralsQueue").await,
        2,
        "half written: parts 0 and 1"
    );
    assert_eq!(
        resources.count_items("IdempotencyTable").await,
        0,
        "the claim is given back"
    );

    // The platform's retry.
    let outcome = intake
        .accept(&source, list(), "req-2")
        .await
        .expect("queued");
    assert!(!outcome.duplicate);
    assert_eq!(outcome.messages, 5);
    assert_eq!(resources.queue_depth("ReferralsQueue").await, 7);

    // A consumer applying each message id once sees every part, and every connection, once.
    let mut by_id: BTreeMap<String, Message> = BTreeMap::new();
    for m in resources.peek_queue("ReferralsQueue").await {
        let message = Message::decode(m.body().expect("a body")).expect("a message");
        by_id.entry(message.id.clone()).or_insert(message);
    }
    let expected: BTreeSet<String> = (0..5).map(|i| social::part_id(&outcome.id, i)).collect();
    assert_eq!(by_id.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let mut seen = BTreeSet::new();
    for message in by_id.values() {
        let Event::Social(SocialEvent::Connected(part)) = &message.event else {
            panic!("a connection list")
        };
        assert_eq!(part.part.count, 5);
        for c in &part.connections {
            assert!(seen.insert(c.id.clone()), "{} twice", c.id);
        }
    }
    assert_eq!(seen.len(), 2_000);

    // Delivered once more: a duplicate, nothing queued.
    let again = intake
        .accept(&source, list(), "req-3")
        .await
        .expect("answered");
    assert!(again.duplicate);
    assert_eq!(again.id, outcome.id);
    assert_eq!(resources.queue_depth("ReferralsQueue").await, 7);
}
