//! What the referrals consumer's tests share: a queue message as SQS hands it over.

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use liaison_stack::harness::TestResources;
use serde_json::{json, Value};
use shared::contracts::contacts::ContactStore;
use shared::contracts::events::Message;
use shared::kit::clock::{stamp, Clock};

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// `event` as the one record of an SQS batch, in a message from the brand's site.
pub fn message(id: &str, event: Value) -> SqsEvent {
    let message: Message = serde_json::from_value(json!({
        "v": 1, "id": id, "source_id": "src_site", "platform": "standard-webhooks",
        "dedupe_key": id, "received_at": stamp(Utc::now()), "correlation_id": "t",
        "event": event
    }))
    .expect("a message");
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("m-{id}"));
    record.body = Some(message.encode());
    let mut event = SqsEvent::default();
    event.records = vec![record];
    event
}

/// The consumer as its Lambda builds it, on `resources`, and the contacts it resolves.
pub async fn consumer(resources: &TestResources) -> (referrals::Deps, ContactStore) {
    let env = resources.function_env("referrals");
    let deps = referrals::Deps::from_env(&env, Clock::system())
        .await
        .unwrap();
    let store = ContactStore::new(
        resources.clients.dynamodb.clone(),
        resources.table("ContactsTable"),
        liaison_stack::harness::lookup_key(),
    );
    (deps, store)
}
