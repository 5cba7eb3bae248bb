//! Every queue consumer sends a message it cannot read to its own dead-letter queue, with the
//! reason, under the role template.yaml gives it (the IAM gateway refuses what it does not
//! grant): one bad message never fails its batch, and its DLQ grant is exercised.

use std::time::Duration;

use liaison_local::harness;
use shared::kit::batch::REJECTION_REASON_ATTRIBUTE;

#[tokio::test]
async fn an_unreadable_message_should_reach_its_consumers_dead_letter_queue_with_the_reason() {
    let system = harness::system().await;
    let queues = [
        ("CommerceQueue", "CommerceDeadLetterQueue"),
        ("ReferralsQueue", "ReferralsDeadLetterQueue"),
        ("SendsQueue", "SendsDeadLetterQueue"),
        (
            "ModerationCallbacksQueue",
            "ModerationCallbacksDeadLetterQueue",
        ),
    ];
    for (queue, _) in queues {
        system
            .resources
            .clients
            .sqs
            .send_message()
            .queue_url(system.resources.queue_url(queue))
            .message_body(r#"{"v": 99}"#)
            .send()
            .await
            .unwrap();
    }
    for (queue, dlq) in queues {
        let mut found = Vec::new();
        for _ in 0..100 {
            found = system.resources.peek_queue(dlq).await;
            if !found.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(found.len(), 1, "{queue}: nothing in {dlq}");
        assert_eq!(found[0].body(), Some(r#"{"v": 99}"#));
        let reason = found[0]
            .message_attributes()
            .and_then(|a| a.get(REJECTION_REASON_ATTRIBUTE))
            .and_then(|v| v.string_value());
        assert!(reason.is_some_and(|r| !r.is_empty()), "{queue}: no reason");
    }
    // Refused by nobody: each consumer's role grants its own DLQ.
    assert!(system
        .resources
        .iam
        .denials()
        .iter()
        .all(|d| !d.check.action.starts_with("sqs:")));
}
