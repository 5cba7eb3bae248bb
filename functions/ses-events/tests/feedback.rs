//! SES feedback against the local stack (DynamoDB Local, moto's SQS), through the real SDK
//! clients: each delivery, open, click, permanent bounce and complaint of a relaunch email
//! is recorded and counted once however often it arrives; permanent bounces and complaints
//! suppress the address by keyed hash; what is not an SES event goes to the dead-letter
//! queue alone; a throttled write fails its record alone, and its redelivery acts once.

use std::collections::HashMap;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::AttributeValue;
use liaison_stack::faults::{Fault, Faults};
use liaison_stack::harness::{self, TestResources};
use serde_json::{json, Value};
use ses_events::Deps;
use shared::kit::batch::REJECTION_REASON_ATTRIBUTE;
use shared::kit::clock::Clock;

type Item = HashMap<String, AttributeValue>;

/// The `email_id` tag of every fixture in `events/`.
const EMAIL_ID: &str = "eml_rl_5f1d3c0a9b8e7d6c5b4a3f2e";
const CAMPAIGN: &str = "cmp_spring";
/// The recipient of the fixtures' relaunch email.
const ADDRESS: &str = "ada.lovelace@example.com";

fn fixture(name: &str) -> Value {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The event as SNS delivers it to the queue without raw message delivery.
fn in_envelope(event: &Value, notification_id: &str) -> String {
    json!({
        "Type": "Notification",
        "MessageId": notification_id,
        "TopicArn": "arn:aws:sns:eu-west-1:123456789012:liaison-SesEventsTopic",
        "Subject": "Amazon SES Email Event Notification",
        "Message": event.to_string(),
        "Timestamp": "2026-11-23T10:00:05.000Z",
        "SignatureVersion": "1",
    })
    .to_string()
}

fn record(id: &str, body: impl Into<String>) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(id.to_string());
    record.body = Some(body.into());
    record
}

fn batch(records: Vec<SqsMessage>) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = records;
    event
}

async fn deps(resources: &TestResources) -> Deps {
    let env = resources.function_env("ses-events");
    Deps::from_env(&env, Clock::system())
        .await
        .expect("ses-events deps")
}

/// A relaunch email as the sender records it: step 0, variant A of [`CAMPAIGN`].
async fn put_relaunch_email(resources: &TestResources) {
    let s = |v: &str| AttributeValue::S(v.to_string());
    resources
        .clients
        .dynamodb
        .put_item()
        .table_name(resources.table("EmailsTable"))
        .item("id", s(EMAIL_ID))
        .item("kind", s("relaunch"))
        .item("contact_id", s("ct_ada"))
        .item("campaign_id", s(CAMPAIGN))
        .item("step", AttributeValue::N("0".into()))
        .item("variant", s("A"))
        .item("cart_id", s("src_shop#cart-1"))
        .item("sent_at", s("2026-11-23T10:00:00Z"))
        .send()
        .await
        .expect("PutItem email");
}

async fn get(resources: &TestResources, table: &str, key: &[(&str, &str)]) -> Option<Item> {
    let mut request = resources
        .clients
        .dynamodb
        .get_item()
        .table_name(resources.table(table))
        .consistent_read(true);
    for (name, value) in key {
        request = request.key(*name, AttributeValue::S(value.to_string()));
    }
    request.send().await.expect("GetItem").item
}

async fn email(resources: &TestResources) -> Item {
    get(resources, "EmailsTable", &[("id", EMAIL_ID)])
        .await
        .expect("the relaunch email")
}

/// The counters of step 0, variant A (empty when nothing was counted).
async fn step_stats(resources: &TestResources) -> Item {
    get(
        resources,
        "StatsTable",
        &[("pk", CAMPAIGN), ("sk", "step#0#A")],
    )
    .await
    .unwrap_or_default()
}

fn counter(item: &Item, name: &str) -> u64 {
    item.get(name)
        .map(|v| v.as_n().expect("a number").parse().expect("an integer"))
        .unwrap_or(0)
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// `address`'s entry on the suppression list, found as the sender finds it: by lookup key.
async fn suppression(resources: &TestResources, deps: &Deps, address: &str) -> Option<Item> {
    let key = shared::contracts::lookup::lookup_key(&deps.hash_key, "email", address);
    get(resources, "SuppressionTable", &[("email_key", &key)]).await
}

/// Every attribute of every item of a table, as text.
async fn dump(resources: &TestResources, table: &str) -> String {
    let out = resources
        .clients
        .dynamodb
        .scan()
        .table_name(resources.table(table))
        .send()
        .await
        .expect("Scan");
    format!("{:?}", out.items.unwrap_or_default())
}

fn assert_all_done(response: &SqsBatchResponse) {
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response
            .batch_item_failures
            .iter()
            .map(|f| &f.item_identifier)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_delivery_arriving_twice_should_be_recorded_and_counted_once() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let delivery = fixture("delivery.json");

    // Once raw, once in SNS's envelope (a redelivery through the other subscription form).
    let response =
        ses_events::handle(&deps, batch(vec![record("m-1", delivery.to_string())])).await;
    assert_all_done(&response);
    let response = ses_events::handle(
        &deps,
        batch(vec![record("m-2", in_envelope(&delivery, "sns-2"))]),
    )
    .await;
    assert_all_done(&response);

    let email = email(&resources).await;
    // SES's time of the delivery, not the clock's.
    assert_eq!(
        text(&email, "delivered_at"),
        Some("2026-11-23T10:00:02.133Z")
    );
    let stats = step_stats(&resources).await;
    assert_eq!(counter(&stats, "delivered"), 1, "{stats:?}");
    for other in ["opened", "clicked", "bounced", "complained"] {
        assert_eq!(counter(&stats, other), 0, "{other}");
    }
    assert_eq!(resources.count_items("SuppressionTable").await, 0);
    assert_eq!(resources.queue_depth("SesEventsDeadLetterQueue").await, 0);
}

#[tokio::test]
async fn an_open_and_a_click_should_each_be_counted_once() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let (open, click) = (fixture("open.json"), fixture("click.json"));

    let response = ses_events::handle(
        &deps,
        batch(vec![
            record("m-open", open.to_string()),
            record("m-click", in_envelope(&click, "sns-click")),
            record("m-open-again", in_envelope(&open, "sns-open-again")),
            record("m-click-again", click.to_string()),
        ]),
    )
    .await;
    assert_all_done(&response);

    let email = email(&resources).await;
    assert_eq!(text(&email, "opened_at"), Some("2026-11-23T12:30:19.652Z"));
    assert_eq!(text(&email, "clicked_at"), Some("2026-11-23T12:31:25.570Z"));
    assert!(!email.contains_key("delivered_at"));
    let stats = step_stats(&resources).await;
    assert_eq!(counter(&stats, "opened"), 1, "{stats:?}");
    assert_eq!(counter(&stats, "clicked"), 1, "{stats:?}");
    assert_eq!(counter(&stats, "delivered"), 0);
}

#[tokio::test]
async fn a_permanent_bounce_should_suppress_the_address_and_count_a_bounce() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    // In SNS's envelope, the recipient in mixed case; then the same event again, raw.
    let enveloped = fixture("sns-bounce-permanent.json").to_string();
    let raw = fixture("bounce-permanent.json").to_string();
    for (id, body) in [("m-1", enveloped), ("m-2", raw)] {
        let response = ses_events::handle(&deps, batch(vec![record(id, body)])).await;
        assert_all_done(&response);
    }

    let entry = suppression(&resources, &deps, ADDRESS)
        .await
        .expect("the address is suppressed under its lookup key");
    assert_eq!(text(&entry, "reason"), Some("bounce"));
    assert_eq!(text(&entry, "at"), Some("2026-11-23T10:00:03.669Z"));
    assert_eq!(resources.count_items("SuppressionTable").await, 1);
    // Keyed hash only: the address is nowhere in the table.
    let table = dump(&resources, "SuppressionTable").await.to_lowercase();
    assert!(
        !table.contains("lovelace") && !table.contains("example.com"),
        "{table}"
    );

    let email = email(&resources).await;
    assert_eq!(text(&email, "bounced_at"), Some("2026-11-23T10:00:03.669Z"));
    assert_eq!(counter(&step_stats(&resources).await, "bounced"), 1);
    // The brand's endpoints are told once, about the relaunch email's contact.
    let told = resources.published_events("consent.changed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    let event: serde_json::Value = serde_json::from_str(&told[0]).unwrap();
    assert_eq!(event["data"]["consent"], "suppressed");
    assert_eq!(event["data"]["reason"], "bounce");
    assert!(event["contact_id"].is_string(), "{event}");
}

#[tokio::test]
async fn a_transient_bounce_should_neither_suppress_nor_count() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let bounce = fixture("bounce-transient.json");
    let response = ses_events::handle(
        &deps,
        batch(vec![
            record("m-raw", bounce.to_string()),
            record("m-sns", in_envelope(&bounce, "sns-1")),
        ]),
    )
    .await;
    assert_all_done(&response);

    assert_eq!(suppression(&resources, &deps, ADDRESS).await, None);
    assert_eq!(resources.count_items("SuppressionTable").await, 0);
    assert!(!email(&resources).await.contains_key("bounced_at"));
    assert_eq!(resources.count_items("StatsTable").await, 0);
    assert_eq!(resources.queue_depth("SesEventsDeadLetterQueue").await, 0);
}

#[tokio::test]
async fn a_complaint_should_suppress_the_address_and_count_a_complaint() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let complaint = fixture("complaint.json");
    let response = ses_events::handle(
        &deps,
        batch(vec![
            record("m-1", in_envelope(&complaint, "sns-1")),
            record("m-2", in_envelope(&complaint, "sns-1")),
        ]),
    )
    .await;
    assert_all_done(&response);

    let entry = suppression(&resources, &deps, ADDRESS)
        .await
        .expect("the address is suppressed");
    assert_eq!(text(&entry, "reason"), Some("complaint"));
    assert_eq!(text(&entry, "at"), Some("2026-11-24T08:15:00Z"));
    let email = email(&resources).await;
    assert_eq!(text(&email, "complained_at"), Some("2026-11-24T08:15:00Z"));
    assert_eq!(counter(&step_stats(&resources).await, "complained"), 1);
}

#[tokio::test]
async fn a_later_reason_should_leave_the_first_suppression_as_it_was() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    for (id, name) in [("m-1", "bounce-permanent.json"), ("m-2", "complaint.json")] {
        let response =
            ses_events::handle(&deps, batch(vec![record(id, fixture(name).to_string())])).await;
        assert_all_done(&response);
    }
    let entry = suppression(&resources, &deps, ADDRESS).await.unwrap();
    assert_eq!(text(&entry, "reason"), Some("bounce"));
    assert_eq!(text(&entry, "at"), Some("2026-11-23T10:00:03.669Z"));
    // Each is still counted on the email, once.
    let stats = step_stats(&resources).await;
    assert_eq!(
        (counter(&stats, "bounced"), counter(&stats, "complained")),
        (1, 1)
    );
}

#[tokio::test]
async fn feedback_on_an_email_that_is_not_a_relaunch_should_only_suppress() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    // The older notification format (no tags): a permanent bounce naming a real address and
    // something that is not one; a complaint.
    let response = ses_events::handle(
        &deps,
        batch(vec![
            record("m-bounce", fixture("notification-bounce.json").to_string()),
            record(
                "m-complaint",
                in_envelope(&fixture("notification-complaint.json"), "sns-c"),
            ),
        ]),
    )
    .await;
    assert_all_done(&response);
    assert_eq!(
        suppression(&resources, &deps, "jane@example.com")
            .await
            .and_then(|e| text(&e, "reason").map(String::from)),
        Some("bounce".into())
    );
    assert_eq!(
        suppression(&resources, &deps, "richard@example.com")
            .await
            .and_then(|e| text(&e, "reason").map(String::from)),
        Some("complaint".into())
    );
    assert_eq!(resources.count_items("SuppressionTable").await, 2);

    // A tagged event whose email is not a relaunch email (an erased one, say): no stats.
    let mut delivery = fixture("delivery.json");
    delivery["mail"]["tags"]["email_id"] = json!(["eml_verification_1"]);
    let response =
        ses_events::handle(&deps, batch(vec![record("m-d", delivery.to_string())])).await;
    assert_all_done(&response);
    assert_eq!(resources.count_items("StatsTable").await, 0);
    assert_eq!(resources.count_items("EmailsTable").await, 0);
    assert_eq!(resources.queue_depth("SesEventsDeadLetterQueue").await, 0);
}

#[tokio::test]
async fn event_types_liaison_does_not_act_on_should_be_acknowledged_without_effect() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let before = email(&resources).await;
    let mut rendering = fixture("send.json");
    rendering["eventType"] = json!("Rendering Failure");
    let response = ses_events::handle(
        &deps,
        batch(vec![
            record("m-send", fixture("send.json").to_string()),
            record("m-delay", in_envelope(&fixture("delivery-delay.json"), "s")),
            record("m-rendering", rendering.to_string()),
        ]),
    )
    .await;
    assert_all_done(&response);
    assert_eq!(email(&resources).await, before);
    assert_eq!(resources.count_items("StatsTable").await, 0);
    assert_eq!(resources.count_items("SuppressionTable").await, 0);
    assert_eq!(resources.queue_depth("SesEventsDeadLetterQueue").await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_an_ses_event_should_go_to_the_dead_letter_queue_alone() {
    let resources = harness::resources().await;
    let deps = deps(&resources).await;
    put_relaunch_email(&resources).await;
    let garbage = [
        ("m-text", "this is not json".to_string()),
        (
            "m-subscription",
            fixture("sns-subscription-confirmation.json").to_string(),
        ),
        (
            "m-not-ses",
            json!({"Type": "Notification", "MessageId": "n", "Message": "{\"v\":1}"}).to_string(),
        ),
    ];
    let mut records: Vec<SqsMessage> = garbage
        .iter()
        .map(|(id, body)| record(id, body.clone()))
        .collect();
    records.insert(
        1,
        record("m-delivery", fixture("delivery.json").to_string()),
    );

    let response = ses_events::handle(&deps, batch(records)).await;
    assert_all_done(&response);

    // The good one in the same batch took effect.
    assert_eq!(counter(&step_stats(&resources).await, "delivered"), 1);
    // The others wait in the dead-letter queue, as they came, with a reason.
    let dead = resources.peek_queue("SesEventsDeadLetterQueue").await;
    let mut bodies: Vec<&str> = dead.iter().filter_map(|m| m.body()).collect();
    bodies.sort();
    let mut expected: Vec<&str> = garbage.iter().map(|(_, b)| b.as_str()).collect();
    expected.sort();
    assert_eq!(bodies, expected);
    for message in &dead {
        let reason = message
            .message_attributes()
            .and_then(|a| a.get(REJECTION_REASON_ATTRIBUTE))
            .and_then(|a| a.string_value())
            .unwrap_or_default();
        assert!(!reason.is_empty(), "{message:?}");
    }
}

#[tokio::test]
async fn a_throttled_write_should_fail_its_record_alone_and_act_once_when_redelivered() {
    let resources = harness::resources().await;
    let faults = Faults::new();
    let env = resources.function_env("ses-events");
    let sdk = faults.config(&shared::kit::aws::sdk_config(&env).await);
    let deps = Deps::with_sdk(&env, &sdk, Clock::system())
        .await
        .expect("deps");
    put_relaunch_email(&resources).await;
    let bounce = || record("m-bounce", fixture("bounce-permanent.json").to_string());

    // The suppression write stays throttled beyond the SDK's three attempts: the bounce
    // comes back; the open after it in the batch is done.
    faults.inject("PutItem", Fault::Throttle, 3);
    let response = ses_events::handle(
        &deps,
        batch(vec![
            bounce(),
            record("m-open", fixture("open.json").to_string()),
        ]),
    )
    .await;
    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m-bounce"]);
    assert_eq!(counter(&step_stats(&resources).await, "opened"), 1);
    assert_eq!(resources.count_items("SuppressionTable").await, 0);

    // Redelivered, it suppresses, then its engagement write is throttled: back again.
    faults.inject("TransactWriteItems", Fault::Throttle, 3);
    let response = ses_events::handle(&deps, batch(vec![bounce()])).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(resources.count_items("SuppressionTable").await, 1);
    assert_eq!(counter(&step_stats(&resources).await, "bounced"), 0);

    // The third delivery finishes it; the fourth (SQS at least once) changes nothing.
    for _ in 0..2 {
        let response = ses_events::handle(&deps, batch(vec![bounce()])).await;
        assert_all_done(&response);
    }
    assert_eq!(faults.injected().len(), 6, "{:?}", faults.injected());
    assert_eq!(resources.count_items("SuppressionTable").await, 1);
    assert_eq!(counter(&step_stats(&resources).await, "bounced"), 1);
    assert_eq!(resources.queue_depth("SesEventsDeadLetterQueue").await, 0);
}
