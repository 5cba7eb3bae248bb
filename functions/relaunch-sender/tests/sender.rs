//! The sender against the local stack (DynamoDB Local, moto's SQS and SES through the real
//! SDK), with faults injected in front of them (`liaison_stack::faults`): a claimed step is
//! sent once whatever the redeliveries and however many senders race for it; SES
//! throttling is retried, then deferred and claimed again, never dropped and never sent
//! twice; a response SES may have acted on is never sent again.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use liaison_stack::faults::{Fault, Faults};
use liaison_stack::harness::{self, TestResources};
use relaunch_sender::Deps;
use serde_json::json;
use shared::contracts::carts::DueStep;
use shared::kit::clock::{stamp, Clock};
use shared::relaunch::campaigns::store::CampaignStore;
use shared::relaunch::campaigns::Campaign;
use shared::relaunch::sends::{self, SendMessage, SendRecord, SendStatus};

struct Fixture {
    resources: TestResources,
    email: String,
    cart_id: String,
    campaign_id: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

/// A consenting contact's cart whose first step is due, claimed by the scheduler.
async fn fixture(tag: &str) -> Fixture {
    let resources = harness::resources().await;
    let unique = format!("{tag}{}", Utc::now().timestamp_micros());
    let email = format!("{unique}@example.fr");
    let now = Utc::now();
    let campaign: Campaign = serde_json::from_value(json!({
        "id": "cmp_sender", "status": "scheduled",
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "updated_by": "m",
        "name": "Relance", "schedule": {"starts_at": "2026-01-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60},
        "steps": [
            {"delay_minutes": 0, "subject": "Votre panier", "html": "<a href=\"{{ cart.recovery_url }}\">{{ cart.lines[0].title }}</a>", "text": "{{ cart.recovery_url }}"},
            {"delay_minutes": 1440, "subject": "Encore là", "html": "<p>x</p>", "text": "x"}
        ]
    }))
    .unwrap();
    let store = CampaignStore {
        client: resources.clients.dynamodb.clone(),
        table: resources.table("CampaignsTable"),
    };
    assert!(store
        .put(&campaign, "attribute_not_exists(id)", HashMap::new())
        .await
        .unwrap());
    let db = &resources.clients.dynamodb;
    db.put_item()
        .table_name(resources.table("ContactsTable"))
        .item("pk", s("contact#ctc_sender"))
        .item("sk", s("profile"))
        .item(
            "consent",
            AttributeValue::M(HashMap::from([(
                "marketing".to_string(),
                AttributeValue::Bool(true),
            )])),
        )
        .send()
        .await
        .unwrap();
    let cart_id = format!("crt_{unique}");
    let due = now - Duration::minutes(1);
    let cart = json!({
        "id": cart_id, "source_id": "src_1", "platform": "shopify", "cart_id": unique,
        "contact_id": "ctc_sender", "email": email, "first_name": "Jean", "accepts_marketing": true,
        "currency": "EUR", "total": "89.00",
        "lines": [{"title": "Lampe Atelier", "quantity": 1, "unit_price": "89.00"}],
        "recovery_url": "https://shop.example/recover/1",
        "last_activity": stamp(due - Duration::minutes(60)), "cart_status": "open",
        "campaign_id": "cmp_sender", "next_step": 0, "due_at": stamp(due),
        "updated_at": stamp(due)
    });
    db.put_item()
        .table_name(resources.table("CartsTable"))
        .set_item(Some(serde_dynamo::to_item(cart).unwrap()))
        .send()
        .await
        .unwrap();
    let claim = SendRecord {
        id: sends::send_id(&cart_id, 0),
        cart_id: cart_id.clone(),
        campaign_id: "cmp_sender".into(),
        step: 0,
        status: SendStatus::Queued,
        due_at: due,
        queued_at: now,
        attempts: 1,
        lease_until: None,
        reason: None,
        variant: None,
        message_id: None,
    };
    db.put_item()
        .table_name(resources.table("SendsTable"))
        .set_item(Some(serde_dynamo::to_item(&claim).unwrap()))
        .send()
        .await
        .unwrap();
    Fixture {
        resources,
        email,
        cart_id,
        campaign_id: "cmp_sender".into(),
    }
}

fn event(cart_id: &str, step: usize) -> SqsEvent {
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("m-{cart_id}-{step}"));
    record.body = Some(
        serde_json::to_string(&SendMessage {
            send_id: sends::send_id(cart_id, step),
            cart_id: cart_id.to_string(),
            step,
            campaign_id: "cmp_sender".into(),
        })
        .unwrap(),
    );
    let mut event = SqsEvent::default();
    event.records = vec![record];
    event
}

async fn deps(resources: &TestResources, faults: &Arc<Faults>, clock: Clock) -> Deps {
    let env = resources.function_env("relaunch-sender");
    let sdk = faults.config(&shared::kit::aws::sdk_config(&env).await);
    Deps::with_sdk(&env, &sdk, clock)
        .await
        .expect("sender deps")
}

async fn emails_to(resources: &TestResources, to: &str) -> usize {
    resources
        .sent_emails()
        .await
        .iter()
        .filter(|m| m.to_string().contains(to))
        .count()
}

async fn send(f: &Fixture, step: usize) -> SendRecord {
    let out = f
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(f.resources.table("SendsTable"))
        .key("id", s(&sends::send_id(&f.cart_id, step)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    sends::decode(out.item.unwrap()).unwrap()
}

async fn counter(f: &Fixture, name: &str) -> String {
    let out = f
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(f.resources.table("StatsTable"))
        .key("pk", s(&f.campaign_id))
        .key("sk", s("step#0#A"))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item
        .and_then(|i| i.get(name).and_then(|v| v.as_n().ok()).cloned())
        .unwrap_or_else(|| "0".into())
}

#[tokio::test]
async fn a_claim_should_be_sent_once_by_racing_senders_and_redeliveries() {
    let f = fixture("race").await;
    let clock = Clock::system();
    let a = deps(&f.resources, &Faults::new(), clock.clone()).await;
    let b = deps(&f.resources, &Faults::new(), clock.clone()).await;
    let (ra, rb) = tokio::join!(
        relaunch_sender::handle(&a, event(&f.cart_id, 0)),
        relaunch_sender::handle(&b, event(&f.cart_id, 0))
    );
    // The loser either saw the step taken or was asked to come back later.
    let failures = ra.batch_item_failures.len() + rb.batch_item_failures.len();
    assert!(failures <= 1, "{failures}");
    for _ in 0..3 {
        let redelivered = relaunch_sender::handle(&a, event(&f.cart_id, 0)).await;
        assert!(redelivered.batch_item_failures.is_empty());
    }
    assert_eq!(emails_to(&f.resources, &f.email).await, 1);
    let done = send(&f, 0).await;
    assert_eq!(done.status, SendStatus::Sent);
    assert!(done.message_id.is_some());
    assert_eq!(counter(&f, "sent").await, "1");
    let cart = shared::contracts::carts::get(
        &f.resources.clients.dynamodb,
        &f.resources.table("CartsTable"),
        &f.cart_id,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(cart.next_step, Some(1), "the next step is scheduled");
    assert!(cart.due_bucket.is_some());
    // The email is on record with its SES id, for the timeline and SES feedback.
    assert_eq!(f.resources.count_items("EmailsTable").await, 1);
}

#[tokio::test]
async fn ses_throttling_should_be_retried_then_deferred_and_sent_once_when_claimed_again() {
    let f = fixture("throttle").await;
    let faults = Faults::new();
    let clock = Clock::system();
    let sender = deps(&f.resources, &faults, clock.clone()).await;
    // Throttled more times than one invocation retries: deferred, not dropped.
    faults.inject("SendRawEmail", Fault::Throttle, 3);
    let out = relaunch_sender::handle(&sender, event(&f.cart_id, 0)).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(emails_to(&f.resources, &f.email).await, 0);
    let deferred = send(&f, 0).await;
    assert_eq!(deferred.status, SendStatus::Deferred);
    assert!(deferred.due_at > Utc::now());
    assert_eq!(counter(&f, "deferred_ses").await, "1");

    // When it is due again, the scheduler claims it again and the sender sends it once,
    // after two more throttles absorbed by its retries.
    clock.advance(Duration::minutes(6));
    // The scheduler's claim, as it makes it when the cart is due again in the index.
    let db = &f.resources.clients.dynamodb;
    let carts_table = f.resources.table("CartsTable");
    let cart = shared::contracts::carts::get(db, &carts_table, &f.cart_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        cart.due_bucket.is_some(),
        "the deferral put the cart back in the index"
    );
    let (items, _) = shared::contracts::carts::due_page(
        db,
        &carts_table,
        cart.due_bucket.as_deref().unwrap(),
        clock.now(),
        None,
    )
    .await
    .unwrap();
    let due = items
        .iter()
        .filter_map(DueStep::of)
        .find(|d| d.cart_id == f.cart_id)
        .expect("the cart is due again");
    let sends_table = f.resources.table("SendsTable");
    assert!(sends::claim(db, &sends_table, &due, clock.now())
        .await
        .unwrap());
    let message = SendMessage {
        send_id: sends::send_id(&due.cart_id, due.step),
        cart_id: due.cart_id.clone(),
        step: due.step,
        campaign_id: due.campaign_id.clone(),
    };
    let mut record = SqsMessage::default();
    record.message_id = Some("again".into());
    record.body = Some(serde_json::to_string(&message).unwrap());
    let mut again = SqsEvent::default();
    again.records = vec![record];
    faults.inject("SendRawEmail", Fault::Throttle, 2);
    let out = relaunch_sender::handle(&sender, again).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(emails_to(&f.resources, &f.email).await, 1);
    assert_eq!(send(&f, 0).await.status, SendStatus::Sent);
    assert_eq!(counter(&f, "sent").await, "1");
}

#[tokio::test]
async fn a_response_lost_after_ses_acted_should_never_be_sent_again() {
    let f = fixture("lost").await;
    let faults = Faults::new();
    let sender = deps(&f.resources, &faults, Clock::system()).await;
    faults.inject("SendRawEmail", Fault::LoseResponse, 1);
    let out = relaunch_sender::handle(&sender, event(&f.cart_id, 0)).await;
    assert!(out.batch_item_failures.is_empty());
    // SES sent it once (moto recorded it); Liaison does not know, so it never retries.
    assert_eq!(emails_to(&f.resources, &f.email).await, 1);
    assert_eq!(send(&f, 0).await.status, SendStatus::Uncertain);
    relaunch_sender::handle(&sender, event(&f.cart_id, 0)).await;
    assert_eq!(emails_to(&f.resources, &f.email).await, 1);
    assert_eq!(counter(&f, "skipped_uncertain").await, "1");
}

#[tokio::test]
async fn a_sender_that_died_while_sending_should_leave_the_step_uncertain_not_resent() {
    let f = fixture("crash").await;
    // A claim left `sending` by a sender that stopped after SES and before its record.
    f.resources
        .clients
        .dynamodb
        .update_item()
        .table_name(f.resources.table("SendsTable"))
        .key("id", s(&sends::send_id(&f.cart_id, 0)))
        .update_expression("SET #s = :sending, lease_until = :lease")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":sending", s("sending"))
        .expression_attribute_values(":lease", s(&stamp(Utc::now() + Duration::seconds(300))))
        .send()
        .await
        .unwrap();
    let clock = Clock::system();
    let sender = deps(&f.resources, &Faults::new(), clock.clone()).await;
    // While its lease runs, the message comes back later.
    let out = relaunch_sender::handle(&sender, event(&f.cart_id, 0)).await;
    assert_eq!(out.batch_item_failures.len(), 1);
    clock.advance(Duration::seconds(301));
    let out = relaunch_sender::handle(&sender, event(&f.cart_id, 0)).await;
    assert!(out.batch_item_failures.is_empty());
    assert_eq!(send(&f, 0).await.status, SendStatus::Uncertain);
    assert_eq!(emails_to(&f.resources, &f.email).await, 0);
    let cart = shared::contracts::carts::get(
        &f.resources.clients.dynamodb,
        &f.resources.table("CartsTable"),
        &f.cart_id,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(cart.next_step, Some(1), "the cart goes on to its next step");
}
