//! Carts end to end: a Shopify checkout from a consenting buyer becomes a cart tied to a
//! contact, taken by the active campaign with its first step due an hour after the last
//! activity; the order converts it once and stops its relaunches; a checkout Liaison
//! cannot relaunch is kept and explained, never a failed batch.

use std::time::Duration;

use e2e::fixture;
use e2e::platforms::{post_signed, register, Registered};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};
use shared::contracts::carts::cart_key;

const SECRET: &str = "shpss_5e7f3c1d9b2a4e6f8a0c";
const CART_TOKEN: &str = "Z2NwLWV1cm9wZS13ZXN0NDowMUpEUTZYOFY1TjNLN1IyTTlUNFcxWTZaQg";

async fn post(system: &TestSystem, source: &Registered, topic: &str, event_id: &str, body: &[u8]) {
    let headers = [
        ("x-shopify-topic", topic),
        ("x-shopify-event-id", event_id),
        ("x-shopify-webhook-id", event_id),
        ("content-type", "application/json"),
    ];
    let resp = post_signed(system, source, SECRET, &headers, body).await;
    assert_eq!(resp.status().as_u16(), 202, "{topic}");
}

#[tokio::test]
async fn a_checkout_should_be_scheduled_for_relaunch_and_its_order_should_convert_it_once() {
    // The fixture's checkout is long abandoned: without the scheduler, its first step stays
    // due while this test looks at it (tests/tests/journeys/relaunch.rs sends them).
    let system = harness::system_without(&["relaunch-scheduler"]).await;
    let campaign = json!({
        "name": "Paniers", "schedule": {"starts_at": "2026-01-01T00:00:00Z"},
        "entry": {"abandoned_after_minutes": 60, "currencies": ["EUR"]},
        "steps": [
            {"delay_minutes": 0, "subject": "Votre panier", "html": "<p>{{ cart.total }}</p>", "text": "{{ cart.total }}"},
            {"delay_minutes": 1440, "subject": "Toujours là", "html": "<p>x</p>", "text": "x"}
        ]
    });
    let (status, created) = e2e::staff(
        &system,
        "POST",
        "/admin/campaigns",
        "liaison-marketer",
        Some(campaign),
    )
    .await;
    assert_eq!(status, 201);
    let campaign_id = created["id"].as_str().unwrap().to_string();
    let (status, _) = e2e::staff(
        &system,
        "POST",
        &format!("/admin/campaigns/{campaign_id}/schedule"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200);

    let source = register(
        &system,
        json!({"platform": "shopify", "name": "Maison Lumière", "secret": SECRET}),
    )
    .await;
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-checkout-1",
        &fixture("shopify/checkouts-update.json"),
    )
    .await;
    let id = cart_key(&source.id, CART_TOKEN);
    let scheduled = e2e::cart_when(&system, &id, |c| c.due_at.is_some()).await;
    assert_eq!(scheduled.campaign_id.as_deref(), Some(campaign_id.as_str()));
    assert_eq!(scheduled.next_step, Some(0));
    assert_eq!(
        scheduled.due_at,
        Some(scheduled.last_activity + chrono::Duration::minutes(60))
    );
    assert_eq!(scheduled.email.as_deref(), Some("jean.dupont@example.fr"));
    assert_eq!(scheduled.accepts_marketing, Some(true));
    let contact = scheduled.contact_id.clone().expect("a contact");
    let stats = system
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(system.resources.table("StatsTable"))
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(campaign_id.clone()),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("campaign".into()),
        )
        .send()
        .await
        .unwrap()
        .item
        .expect("counters");
    assert_eq!(stats["entered"].as_n().unwrap(), "1");

    // The order: converted once, relaunches stopped, the buyer a customer.
    let order = fixture("shopify/orders-create.json");
    post(&system, &source, "orders/create", "ev-order-1", &order).await;
    let converted = e2e::cart_when(&system, &id, |c| c.order_id.is_some()).await;
    assert_eq!(converted.due_at, None);
    assert_eq!(
        converted.revenue.map(|r| r.to_string()).as_deref(),
        Some("212.30")
    );
    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{contact}"),
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(person["profile"]["type"], "customer", "{person}");
    assert_eq!(person["profile"]["consent"]["marketing"], true);
    // A late checkout snapshot does not reopen it.
    let late = String::from_utf8(fixture("shopify/checkouts-update.json"))
        .unwrap()
        .replace("2026-11-23T10:04:37+01:00", "2026-11-23T10:30:00+01:00");
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-checkout-2",
        late.as_bytes(),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let still = e2e::cart_when(&system, &id, |_| true).await;
    assert_eq!(
        still.cart_status,
        shared::contracts::carts::CartStatus::Converted
    );
    assert_eq!(still.due_at, None);

    // The cart is on the person's timeline, and goes with them when they are erased.
    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{contact}"),
        "liaison-sales",
        None,
    )
    .await;
    let kinds: Vec<&str> = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["timeline_kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"carts"), "{kinds:?}");
    let (status, _) = e2e::staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{contact}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(system.resources.count_items("CartsTable").await, 0);
}

#[tokio::test]
async fn a_checkout_that_cannot_be_relaunched_should_be_kept_and_explained() {
    // The fixture's checkout is long abandoned: without the scheduler, its first step stays
    // due while this test looks at it (tests/tests/journeys/relaunch.rs sends them).
    let system = harness::system_without(&["relaunch-scheduler"]).await;
    let source = register(
        &system,
        json!({"platform": "shopify", "name": "Boutique", "secret": SECRET}),
    )
    .await;
    let mut body: Value =
        serde_json::from_slice(&fixture("shopify/checkouts-update.json")).unwrap();
    body["email"] = Value::Null;
    body["customer"] = Value::Null;
    body["currency"] = json!("EURO");
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-bad",
        body.to_string().as_bytes(),
    )
    .await;
    let id = cart_key(&source.id, CART_TOKEN);
    let kept = e2e::cart_when(&system, &id, |_| true).await;
    assert_eq!(kept.problems.len(), 2, "{:?}", kept.problems);
    assert!(kept.problems.iter().any(|p| p.starts_with("no email")));
    assert_eq!(kept.due_at, None);
    assert_eq!(
        system
            .resources
            .queue_depth("CommerceDeadLetterQueue")
            .await,
        0
    );
}

#[tokio::test]
async fn a_guest_checkout_typing_a_customers_address_should_not_change_their_consent() {
    let system = harness::system_without(&["relaunch-scheduler"]).await;
    let source = register(
        &system,
        json!({"platform": "shopify", "name": "Maison Lumière", "secret": SECRET}),
    )
    .await;
    // Jean orders, signed in, and says no to marketing: a verified customer without consent.
    let mut order: Value = serde_json::from_slice(&fixture("shopify/orders-create.json")).unwrap();
    order["buyer_accepts_marketing"] = json!(false);
    order["customer"]["email_marketing_consent"]["state"] = json!("unsubscribed");
    post(
        &system,
        &source,
        "orders/create",
        "ev-order-consent",
        order.to_string().as_bytes(),
    )
    .await;
    let jean = loop_until_contact(&system, "jean.dupont@example.fr").await;

    // Later, someone checks out as a guest with Jean's address and ticks "yes".
    let mut guest: Value =
        serde_json::from_slice(&fixture("shopify/checkouts-update.json")).unwrap();
    guest.as_object_mut().unwrap().remove("customer");
    guest["id"] = json!(35201413742999_u64);
    guest["token"] = json!("guest-token-1");
    guest["cart_token"] = json!("guest-cart-1");
    guest["buyer_accepts_marketing"] = json!(true);
    guest["updated_at"] = json!("2026-11-24T10:00:00+01:00");
    post(
        &system,
        &source,
        "checkouts/update",
        "ev-guest-checkout",
        guest.to_string().as_bytes(),
    )
    .await;
    let cart = e2e::cart_when(&system, &cart_key(&source.id, "guest-cart-1"), |c| {
        c.contact_id.is_some()
    })
    .await;
    assert_ne!(cart.contact_id.as_deref(), Some(jean.as_str()));
    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{jean}"),
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(person["profile"]["consent"]["marketing"], false, "{person}");
}

/// The contact an address names, once the carts function has made it.
async fn loop_until_contact(system: &TestSystem, email: &str) -> String {
    for _ in 0..100 {
        let (status, person) = e2e::staff(
            system,
            "GET",
            &format!("/admin/contacts?email={email}"),
            "liaison-sales",
            None,
        )
        .await;
        if status == 200 && person["profile"]["consent"].is_object() {
            return person["id"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no contact for {email}");
}
