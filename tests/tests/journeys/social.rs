//! A brand's site sends a customer's social connections (`social.connected` of the generic
//! envelope), through the local runner: cleaned and explained in the 202, queued on
//! `referrals` in parts under stable ids, refused with a clear 413 or 400 when it must be,
//! with nothing queued then.

use std::collections::BTreeSet;

use e2e::{create_source, deliver};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use shared::contracts::events::{Chunk, Connected, Event, Message, Relation, SocialEvent};

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The referrals consumer does not run: what ingest queued stays to be looked at.
async fn system() -> TestSystem {
    harness::system_without(&["identify", "carts", "referrals"]).await
}

fn connections(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"id": format!("17841400{i:06}"), "handle": format!("@follower{i}"),
                   "name": format!("Follower {i}"), "relation": "follower", "strength": 0.5})
        })
        .collect()
}

fn connected(connections: Vec<Value>) -> Value {
    json!({
        "type": "social.connected",
        "timestamp": "2026-11-23T10:00:00Z",
        "data": {
            "platform": "Instagram",
            "account": {"id": "17841400999999", "handle": "@marie.dupont"},
            "customer": {"id": "cus_2231", "email": "marie.dupont@example.fr"},
            "connections": connections,
        }
    })
}

async fn queued(system: &TestSystem) -> Vec<Message> {
    system
        .resources
        .peek_queue("ReferralsQueue")
        .await
        .iter()
        .map(|m| Message::decode(m.body().expect("a body")).expect("a version-1 message"))
        .collect()
}

/// Takes every message off the queue (received and left hidden): the harness's peek sees
/// about ten at most.
async fn drain(system: &TestSystem) -> Vec<Message> {
    let url = system.resources.queue_url("ReferralsQueue");
    let mut all = Vec::new();
    loop {
        let out = system
            .resources
            .clients
            .sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(600)
            .send()
            .await
            .expect("ReceiveMessage");
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return all;
        }
        for m in messages {
            all.push(Message::decode(m.body().expect("a body")).expect("a version-1 message"));
        }
    }
}

fn part(message: &Message) -> &Connected {
    match &message.event {
        Event::Social(SocialEvent::Connected(c)) => c,
        other => panic!("expected social.connected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_connection_list_should_be_cleaned_explained_and_queued_in_parts_once() {
    let system = system().await;
    let source = create_source(&system, "shop").await;
    let mut list = connections(1_000);
    // The customer's own account, and five people listed twice (the second time as someone
    // the customer follows back: mutual, so friends).
    list.insert(10, json!({"id": "17841400999999", "relation": "friend"}));
    for i in 1..=5 {
        list.push(
            json!({"id": format!("17841400{i:06}"), "relation": "followed", "strength": 0.9}),
        );
    }
    let body = connected(list).to_string();

    let (status, answer) =
        json_of(deliver(&system, &source, "msg_connect_1", body.as_bytes()).await).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["received"], 1_006);
    assert_eq!(answer["accepted"], 1_000);
    assert_eq!(
        answer["dropped"],
        json!({"self": 1, "duplicate": 5, "invalid": 0})
    );
    assert_eq!(answer["messages"], 3);
    let id = answer["id"].as_str().expect("an event id").to_string();

    let messages = queued(&system).await;
    assert_eq!(messages.len(), 3);
    let ids: BTreeSet<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    let expected: Vec<String> = (0..3).map(|i| format!("{id}-{i}")).collect();
    assert_eq!(
        ids,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    let mut seen = BTreeSet::new();
    for message in &messages {
        let part = part(message);
        assert!(part.connections.len() <= 400);
        assert_eq!(part.part.count, 3);
        assert_eq!(part.chunk, Chunk { index: 0, count: 1 });
        assert_eq!(part.account.platform, "instagram");
        assert_eq!(message.source_id, source.id);
        for c in &part.connections {
            assert_ne!(c.id, "17841400999999", "no self-connection");
            assert!(seen.insert(c.id.clone()), "{} once", c.id);
            let merged = (1..=5).any(|i| c.id == format!("17841400{i:06}"));
            if merged {
                assert_eq!(c.relation, Relation::Friend);
                assert_eq!(c.strength, Some(0.9));
            }
        }
    }
    assert_eq!(seen.len(), 1_000);

    // The same delivery again: the same answer, marked duplicate, nothing more queued.
    let (status, again) =
        json_of(deliver(&system, &source, "msg_connect_1", body.as_bytes()).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["accepted"], 1_000);
    assert_eq!(system.resources.queue_depth("ReferralsQueue").await, 3);
    assert!(system
        .resources
        .peek_queue("ContributionsQueue")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_full_chunk_over_the_ordinary_body_limit_should_be_accepted() {
    let system = system().await;
    let source = create_source(&system, "shop").await;
    // 5,000 connections with longer names: about 0.9 MB, over the 256 KiB of other events.
    let list: Vec<Value> = (0..5_000)
        .map(|i| {
            json!({"id": format!("u{i}"), "handle": format!("@follower_{i}_of_the_brand"),
                   "name": format!("Follower number {i}, a long display name with emoji 🌿🌿"),
                   "relation": "fan", "strength": 0.1})
        })
        .collect();
    let mut envelope = connected(list);
    envelope["data"]["chunk"] = json!({"index": 3, "count": 10});
    let body = envelope.to_string();
    assert!(body.len() > 256 * 1024, "{} bytes", body.len());

    let (status, answer) =
        json_of(deliver(&system, &source, "msg_chunk_3", body.as_bytes()).await).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["accepted"], 5_000);
    assert_eq!(answer["chunk"], json!({"index": 3, "count": 10}));
    assert_eq!(answer["messages"], 13);
    assert_eq!(system.resources.queue_depth("ReferralsQueue").await, 13);
    let messages = drain(&system).await;
    assert_eq!(messages.len(), 13);
    let parts: BTreeSet<u32> = messages.iter().map(|m| part(m).part.index).collect();
    assert_eq!(parts, (0..13).collect());
    let total: usize = messages.iter().map(|m| part(m).connections.len()).sum();
    assert_eq!(total, 5_000);
    assert!(messages.iter().all(|m| part(m).chunk
        == Chunk {
            index: 3,
            count: 10
        }));

    // And the customer disconnects: one message.
    let body = json!({"type": "social.disconnected", "data": {"platform": "instagram",
        "account": {"id": "17841400999999"}, "customer": {"id": "cus_2231"}}})
    .to_string();
    let (status, answer) =
        json_of(deliver(&system, &source, "msg_disconnect", body.as_bytes()).await).await;
    assert_eq!(status, 202, "{answer}");
    let messages = drain(&system).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].id, answer["id"].as_str().expect("an event id"));
    assert!(matches!(
        messages[0].event,
        Event::Social(SocialEvent::Disconnected(_))
    ));
}

#[tokio::test]
async fn too_many_connections_or_an_unknown_platform_should_be_refused_with_nothing_queued() {
    let system = system().await;
    let source = create_source(&system, "shop").await;

    let body = connected(connections(5_001)).to_string();
    let (status, err) =
        json_of(deliver(&system, &source, "msg_too_many", body.as_bytes()).await).await;
    assert_eq!(status, 413, "{err}");
    assert_eq!(
        err,
        json!({"error": {"code": "payload_too_large", "message": "at most 5000 connections per request: send the list in chunks (data.chunk.index / data.chunk.count)"}})
    );

    let mut envelope = connected(connections(3));
    envelope["data"]["platform"] = json!("myspace");
    let (status, err) = json_of(
        deliver(
            &system,
            &source,
            "msg_myspace",
            envelope.to_string().as_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["field"], "data.platform");
    let message = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("instagram") && message.contains("bluesky"),
        "{message}"
    );

    let mut envelope = connected(connections(3));
    envelope["data"]["chunk"] = json!({"index": 2, "count": 2});
    let (status, err) = json_of(
        deliver(
            &system,
            &source,
            "msg_chunk",
            envelope.to_string().as_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["field"], "data.chunk.index");

    // A body too large even for a chunk: 413, telling to send smaller chunks.
    let huge: Vec<Value> = (0..40_000)
        .map(|i| json!({"id": format!("u{i}"), "name": "n".repeat(100), "relation": "fan"}))
        .collect();
    let body = connected(huge).to_string();
    let (status, err) = json_of(deliver(&system, &source, "msg_huge", body.as_bytes()).await).await;
    assert_eq!(status, 413, "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("data.chunk.index")));

    assert_eq!(system.resources.queue_depth("ReferralsQueue").await, 0);
    assert_eq!(system.resources.count_items("IdempotencyTable").await, 0);
}
