//! The partial-batch helper against moto's SQS: a rejected record reaches the DLQ with its
//! reason and is acknowledged; a retryable one is reported; the rest pass.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use liaison_local::harness;
use shared::batch::{process, DeadLetters, RecordError, REJECTION_REASON_ATTRIBUTE};

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
            Some(r#"{"v":99}"#) => Err(RecordError::Reject("unknown event version 99".into())),
            Some("throttled") => Err(RecordError::Retry("DynamoDB throttled".into())),
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
        Err(RecordError::Reject("invalid".into()))
    })
    .await;
    assert_eq!(response.batch_item_failures.len(), 1);
}
