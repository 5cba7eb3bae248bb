//! Faults the emulators cannot produce, injected in front of them (`liaison_stack::faults`):
//! throttled DynamoDB and SES calls are retried; a message whose calls stay throttled is
//! reported as a batch item failure and, redelivered, has its effects exactly once; a
//! write whose response was lost after it happened is not applied twice.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use identify::Deps;
use liaison_stack::faults::{Fault, Faults};
use liaison_stack::harness::{self, TestResources};
use serde_json::json;
use shared::contracts::events::Message;
use shared::kit::clock::Clock;

/// The commenter's address: one per test, since the tests of this process share moto's
/// record of sent emails.
fn email(event_id: &str) -> String {
    format!("sacha.{event_id}@example.fr")
}

/// A published incident from an unknown email: a verification email, a case (helpdesk
/// message and alert email) and a record, all from one message. (A held one would ask for
/// no verification: see tests/tests/journeys/verification.rs.)
fn event(id: &str) -> SqsEvent {
    let message: Message = serde_json::from_value(json!({
        "v": 1, "id": id, "source_id": "src_faults", "platform": "standard-webhooks",
        "dedupe_key": id, "received_at": "2026-11-23T10:00:00Z", "correlation_id": "faults",
        "event": {"type": "contribution", "action": "created", "kind": "comment", "external_id": format!("c-{id}"),
                  "text": "Ma commande est arrivée cassée, le couvercle est fendu. Je veux un remboursement.",
                  "created_at": "2026-11-23T09:59:00Z", "moderation": "published",
                  "author": {"name": "Sacha", "email": email(id)}}
    }))
    .expect("a message");
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("m-{id}"));
    record.body = Some(message.encode());
    let mut event = SqsEvent::default();
    event.records = vec![record];
    event
}

async fn deps_with(resources: &TestResources, faults: &std::sync::Arc<Faults>) -> Deps {
    let env = resources.function_env("identify");
    let sdk = faults.config(&shared::kit::aws::sdk_config(&env).await);
    Deps::with_sdk(&env, &sdk, Clock::system())
        .await
        .expect("identify deps")
}

/// What one contribution must have left, once, whatever the faults.
async fn effects_once(resources: &TestResources, event_id: &str) {
    let case_id = identify::cases::id_for("case", "src_faults", &format!("c-{event_id}"));
    assert_eq!(resources.count_items("ContributionsTable").await, 1);
    assert_eq!(resources.count_items("CasesTable").await, 1);
    let created = resources.published_events("contact.created").await;
    assert_eq!(created.len(), 1, "one contact.created for the new prospect");
    assert!(
        created[0].contains("\"platform\":\"standard-webhooks\""),
        "{created:?}"
    );
    assert_eq!(
        resources.published_events("case.opened").await.len(),
        1,
        "one case.opened for the helpdesk"
    );
    assert_eq!(
        resources.queue_depth("ContributionsDeadLetterQueue").await,
        0
    );
    let emails = resources.sent_emails().await;
    let count = |needle: &str| {
        emails
            .iter()
            .filter(|m| m.to_string().contains(needle))
            .count()
    };
    assert_eq!(count(&case_id), 1, "one alert for {case_id}");
    assert_eq!(count(&email(event_id)), 1, "one verification email");
    assert_eq!(
        resources.count_items("EmailsTable").await,
        1,
        "on the timeline once"
    );
    // Counted once in the reports.
    let counter = resources
        .clients
        .dynamodb
        .get_item()
        .table_name(resources.table("ReportsTable"))
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("day".into()),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("2026-11-23".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("a day counter");
    assert_eq!(counter["count"].as_n().unwrap(), "1");
}

#[tokio::test]
async fn throttled_calls_should_be_retried_and_act_once() {
    let resources = harness::resources().await;
    let faults = Faults::new();
    for op in [
        "BatchGetItem",
        "TransactWriteItems",
        "GetItem",
        "UpdateItem",
        "PutItem",
        "Query",
    ] {
        faults.inject(op, Fault::Throttle, 2);
    }
    faults.inject("SendEmail", Fault::Throttle, 2);
    let deps = deps_with(&resources, &faults).await;
    let response = identify::handle(&deps, event("evt_throttled")).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "two throttles are within the SDK's retries"
    );
    assert!(faults.injected().len() >= 10, "{:?}", faults.injected());
    effects_once(&resources, "evt_throttled").await;
}

#[tokio::test]
async fn a_message_throttled_beyond_retries_should_come_back_and_act_once() {
    let resources = harness::resources().await;
    let faults = Faults::new();
    let deps = deps_with(&resources, &faults).await;
    // Each attempt of the message fails at a later step; SQS redelivers it each time.
    let steps = [
        ("SendMessage", 3),        // the helpdesk message
        ("SendEmail", 3),          // the alert, then the verification email
        ("TransactWriteItems", 4), // the record, after everything else happened
    ];
    let mut failures = 0;
    for (op, times) in steps {
        faults.inject(op, Fault::Throttle, times);
        let response = identify::handle(&deps, event("evt_redelivered")).await;
        failures += response.batch_item_failures.len();
    }
    assert!(
        failures >= 3,
        "every exhausted step reported for redelivery: {failures}"
    );
    let response = identify::handle(&deps, event("evt_redelivered")).await;
    assert!(response.batch_item_failures.is_empty());
    effects_once(&resources, "evt_redelivered").await;
}

#[tokio::test]
async fn a_write_whose_response_was_lost_should_not_apply_twice() {
    let resources = harness::resources().await;
    let faults = Faults::new();
    // Each of these happens in DynamoDB Local, then the SDK sees a 500 and sends it again.
    faults.inject("TransactWriteItems", Fault::LoseResponse, 2);
    faults.inject("PutItem", Fault::LoseResponse, 1);
    faults.inject("UpdateItem", Fault::LoseResponse, 1);
    let deps = deps_with(&resources, &faults).await;
    let response = identify::handle(&deps, event("evt_lost")).await;
    // A retried contact creation meets its own lookups: the message is retried, then finds
    // the contact it made.
    if !response.batch_item_failures.is_empty() {
        let again = identify::handle(&deps, event("evt_lost")).await;
        assert!(again.batch_item_failures.is_empty());
    }
    assert_eq!(faults.injected().len(), 4, "{:?}", faults.injected());
    effects_once(&resources, "evt_lost").await;
    // One contact, whatever the retries: its profile, its email identity and that lookup
    // (and the source's hourly count of confirmation emails).
    assert_eq!(resources.count_items("ContactsTable").await, 4);
}
