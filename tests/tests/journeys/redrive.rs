//! A dead-letter queue replayed into its queue (docs/operations.md, "Replay a DLQ";
//! `infra/replay-dlq.sh`) never duplicates an effect: the replayed message is the same body
//! under a new SQS message id, and every consumer is idempotent on the event id it carries.
//! Here the bodies are put on the DLQs, moved back as SQS's move task does (receive, send to
//! the queue, delete), and consumed again by the running functions.

use std::time::Duration;

use chrono::Utc;
use e2e::staff;
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use shared::kit::clock::stamp;

fn message(id: &str, event: Value) -> String {
    json!({"v": 1, "id": id, "source_id": "src_redrive", "platform": "standard-webhooks",
           "dedupe_key": id, "received_at": stamp(Utc::now()), "correlation_id": "redrive",
           "event": event})
    .to_string()
}

/// Sends `body` to `queue`'s DLQ, then moves everything there back to `queue`.
async fn replay(system: &TestSystem, queue: &str, dlq: &str, body: &str) {
    let sqs = &system.resources.clients.sqs;
    let dlq_url = system.resources.queue_url(dlq);
    sqs.send_message()
        .queue_url(&dlq_url)
        .message_body(body)
        .send()
        .await
        .unwrap();
    let out = sqs
        .receive_message()
        .queue_url(&dlq_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    for m in out.messages() {
        sqs.send_message()
            .queue_url(system.resources.queue_url(queue))
            .message_body(m.body().unwrap())
            .send()
            .await
            .unwrap();
        sqs.delete_message()
            .queue_url(&dlq_url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
    }
}

async fn send(system: &TestSystem, queue: &str, body: &str) {
    system
        .resources
        .clients
        .sqs
        .send_message()
        .queue_url(system.resources.queue_url(queue))
        .message_body(body)
        .send()
        .await
        .unwrap();
}

/// Waits until `queue` is empty, nothing in flight, and the consumer had time to finish.
async fn drained(system: &TestSystem, queue: &str) {
    for _ in 0..150 {
        if system.resources.queue_depth(queue).await == 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if system.resources.queue_depth(queue).await == 0 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{queue} never drained");
}

/// What the effects of one contribution and one order are, counted.
async fn effects(system: &TestSystem) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for table in [
        "ContributionsTable",
        "CasesTable",
        "ReportsTable",
        "CartsTable",
        "ReferralsTable",
        "SuggestionsTable",
    ] {
        out.push((table, system.resources.count_items(table).await));
    }
    out.push(("emails sent", system.resources.sent_emails().await.len()));
    out.push((
        "cases announced",
        system.resources.published_events("case.opened").await.len(),
    ));
    out
}

#[tokio::test]
async fn a_replayed_dead_letter_queue_should_have_no_second_effect() {
    let system = harness::system().await;
    // An incident: a contribution recorded, a case, a support message, an alert email and a
    // verification email, report counters.
    let incident = message(
        "evt_redrive_incident",
        json!({"type": "contribution", "action": "created", "kind": "comment",
               "external_id": "c-redrive", "text": "My parcel never arrived and nobody answers, this is unacceptable",
               "created_at": stamp(Utc::now()), "moderation": "published",
               "author": {"name": "Client", "email": "redrive@example.com"}}),
    );
    send(&system, "ContributionsQueue", &incident).await;
    // A social connection list, then an order with one of its codes: a suggestion, a cart
    // conversion (none: no cart), a referral conversion.
    let connected = message(
        "evt_redrive_connected",
        json!({"type": "social", "action": "connected",
               "account": {"platform": "instagram", "id": "ig-redrive"},
               "customer": {"email": "referrer@example.com"},
               "connections": [{"id": "ig-friend", "handle": "@friend", "relation": "friend"}],
               "chunk": {"index": 0, "count": 1}, "part": {"index": 0, "count": 1}}),
    );
    send(&system, "ReferralsQueue", &connected).await;
    drained(&system, "ContributionsQueue").await;
    drained(&system, "ReferralsQueue").await;
    let code = {
        let out = system
            .resources
            .clients
            .dynamodb
            .scan()
            .table_name(system.resources.table("SuggestionsTable"))
            .send()
            .await
            .unwrap();
        out.items()[0]["code"].as_s().unwrap().clone()
    };
    let order = message(
        "evt_redrive_order",
        json!({"type": "commerce", "kind": "order", "order_id": "o-redrive",
               "customer": {"email": "friend@example.com"}, "currency": "EUR", "lines": [],
               "total": "20.00", "placed_at": stamp(Utc::now()), "referral_code": code}),
    );
    send(&system, "CommerceQueue", &order).await;
    drained(&system, "CommerceQueue").await;
    drained(&system, "ReferralsQueue").await;
    let before = effects(&system).await;
    assert!(
        before.contains(&("CasesTable", 1)) && before.contains(&("ContributionsTable", 1)),
        "the first deliveries had their effects: {before:?}"
    );
    let (_, listed) = staff(
        &system,
        "GET",
        "/admin/referrals/conversions",
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(
        listed["conversions"].as_array().unwrap().len(),
        1,
        "{listed}"
    );

    // Every message replayed from its dead-letter queue.
    replay(
        &system,
        "ContributionsQueue",
        "ContributionsDeadLetterQueue",
        &incident,
    )
    .await;
    replay(
        &system,
        "ReferralsQueue",
        "ReferralsDeadLetterQueue",
        &connected,
    )
    .await;
    replay(&system, "CommerceQueue", "CommerceDeadLetterQueue", &order).await;
    for queue in ["ContributionsQueue", "ReferralsQueue", "CommerceQueue"] {
        drained(&system, queue).await;
    }
    drained(&system, "ReferralsQueue").await;
    assert_eq!(effects(&system).await, before, "a replay changes nothing");
}
