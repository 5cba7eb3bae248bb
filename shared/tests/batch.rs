//! The partial-batch helper against moto's SQS: a rejected record reaches the DLQ with its
//! reason and is acknowledged; a retryable one is reported; the rest pass.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use liaison_stack::harness;
use shared::kit::batch::{process, DeadLetters, RecordError, REJECTION_REASON_ATTRIBUTE};

fn record(id: &str, body: &str) -> SqsMessage {
    serde_json::from_value(serde_json::json!({"messageId": id, "receiptHandle": format!("rh-{id}"), "body": body, "attributes": {}, "messageAttributes": {}}))
        .unwrap()
}

#[tokio::test]
async fn one_bad_message_should_never_fail_its_batch() {
    let res = harness::resources().await;
    let dlq_url = res.queue_url("ContributionsDeadLetterQueue");
    let dead_letters = DeadLetters::new(res.clients.sqs.clone(), &dlq_url);
    let event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": []})).unwrap();
    let mut event = event;
    event.records = vec![
        record("m1", r#"{"v":1}"#),
        record("m2", r#"{"v":99}"#),
        record("m3", "throttled"),
    ];
    let response = process(event, &dead_letters, |m| async move {
        match m.body.as_deref() {
            Some(r#"{"v":99}"#) => Err(RecordError::reject("unknown event version 99")),
            Some("throttled") => Err(RecordError::retry("DynamoDB throttled")),
            _ => Ok(()),
        }
    })
    .await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m3"]);

    let in_dlq = res.peek_queue("ContributionsDeadLetterQueue").await;
    assert_eq!(in_dlq.len(), 1);
    assert_eq!(in_dlq[0].body(), Some(r#"{"v":99}"#));
    let reason = in_dlq[0]
        .message_attributes()
        .and_then(|a| a.get(REJECTION_REASON_ATTRIBUTE))
        .and_then(|v| v.string_value());
    assert_eq!(reason, Some("unknown event version 99"));
}

#[tokio::test]
async fn when_the_dlq_is_unreachable_a_rejected_record_should_come_back() {
    let res = harness::resources().await;
    let dead_letters = DeadLetters::new(
        res.clients.sqs.clone(),
        "http://127.0.0.1:1/000000000000/missing",
    );
    let mut event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": []})).unwrap();
    event.records = vec![record("m1", "bad")];
    let response = process(event, &dead_letters, |_| async {
        Err(RecordError::reject("invalid"))
    })
    .await;
    assert_eq!(response.batch_item_failures.len(), 1);
}

#[tokio::test]
async fn groups_should_wait_side_by_side_and_each_keep_its_order() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let res = harness::resources().await;
    let dead_letters = DeadLetters::new(
        res.clients.sqs.clone(),
        res.queue_url("ContributionsDeadLetterQueue"),
    );
    let mut event: SqsEvent = serde_json::from_value(serde_json::json!({"Records": []})).unwrap();
    // Ten records about four contributions: a1 a2 b1 c1 a3 d1 b2 c2 d2 b3.
    let order = ["a1", "a2", "b1", "c1", "a3", "d1", "b2", "c2", "d2", "b3"];
    event.records = order.iter().map(|id| record(id, &id[..1])).collect();
    let (in_flight, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let seen = Mutex::new(Vec::new());
    let response = shared::kit::batch::process_grouped(
        event,
        &dead_letters,
        |m| m.body.clone().unwrap_or_default(),
        |m| {
            let (in_flight, most, seen) = (&in_flight, &most, &seen);
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // A slow receiver: every group is waiting at once.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                seen.lock()
                    .unwrap()
                    .push(m.message_id.clone().unwrap_or_default());
                in_flight.fetch_sub(1, Ordering::SeqCst);
                match m.message_id.as_deref() {
                    Some("b2") => Err(RecordError::retry("receiver timed out")),
                    _ => Ok(()),
                }
            }
        },
    )
    .await;
    assert_eq!(
        most.load(Ordering::SeqCst),
        4,
        "one record per group at a time"
    );
    let seen = seen.into_inner().unwrap();
    for group in ["a", "b", "c", "d"] {
        let in_group: Vec<&String> = seen.iter().filter(|id| id.starts_with(group)).collect();
        let expected: Vec<&str> = order
            .iter()
            .copied()
            .filter(|id| id.starts_with(group))
            .collect();
        assert_eq!(in_group, expected, "group {group} in its order");
    }
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["b2"]);
}
