//! Order news by direct message, end to end through the local runner with the X API double
//! (`liaison_stack::doubles::x`): a customer who connected her X account on the shop writes
//! `SUIVI` to the brand's X account and gets the confirmation; her order, placed, then its
//! Shopify fulfillment reach her as one direct message each, in French, the shipment with its
//! tracking link, whatever Shopify's retries;
//! `ARRET` ends it at once: the delivery that follows tells her nothing.

use std::time::{Duration, Instant};

use e2e::platforms::{post_signed, register, Registered};
use e2e::{create_source, deliver};
use liaison_local::harness::{self, TestSystem};
use liaison_stack::doubles::x::{self, X};
use serde_json::json;

const X_SECRET: &str = "xConsumerSecret0123456789abcdefghij";
const SHOP_SECRET: &str = "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";
const HELENE_X: &str = "1402398817";
const BRAND_X: &str = "1580003419921735680";
const EMAIL: &str = "helene.lefevre@example.fr";

/// Hélène's direct message to the brand, as X's Account Activity API delivers it.
async fn direct_message(system: &TestSystem, source: &Registered, id: &str, text: &str) {
    let now = chrono::Utc::now().timestamp_millis();
    let body = json!({
        "for_user_id": BRAND_X,
        "direct_message_events": [{
            "type": "message_create", "id": id, "created_timestamp": now.to_string(),
            "message_create": {"target": {"recipient_id": BRAND_X}, "sender_id": HELENE_X,
                               "message_data": {"text": text, "entities": {}}}}],
        "users": {
            HELENE_X: {"id": HELENE_X, "name": "Hélène Lefèvre", "screen_name": "helene_lfv",
                       "followers_count": 842},
            BRAND_X: {"id": BRAND_X, "name": "Maison Lumière", "screen_name": "MaisonLumiere"}}
    })
    .to_string();
    let resp = post_signed(
        system,
        source,
        X_SECRET,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
}

/// Shopify's `fulfillments/create` (or `update`) for order #1001, delivered as event `event`.
async fn fulfillment(
    system: &TestSystem,
    shop: &Registered,
    topic: &str,
    event: &str,
    shipment: &str,
) {
    let body = json!({
        "id": 4567890123_u64, "order_id": 5678901234_u64, "status": "success",
        "created_at": "2026-12-06T10:00:00+01:00", "updated_at": "2026-12-06T10:05:00+01:00",
        "tracking_company": "Colissimo", "shipment_status": shipment, "email": EMAIL,
        "tracking_number": "6A12345678901", "tracking_numbers": ["6A12345678901"],
        "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        "tracking_urls": ["https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"],
        "line_items": [], "name": "#1001.1"
    })
    .to_string();
    let resp = post_signed(
        system,
        shop,
        SHOP_SECRET,
        &[
            ("content-type", "application/json"),
            ("x-shopify-topic", topic),
            ("x-shopify-event-id", event),
            ("x-shopify-webhook-id", event),
            ("x-shopify-shop-domain", "maison-lumiere.myshopify.com"),
        ],
        body.as_bytes(),
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
}

/// Shopify's `orders/create` for order #1001, Hélène's, delivered as event `event`.
async fn order_placed(system: &TestSystem, shop: &Registered, event: &str) {
    let mut body: serde_json::Value =
        serde_json::from_slice(&e2e::fixture("shopify/orders-create.json")).unwrap();
    body["id"] = json!(5678901234_u64);
    body["name"] = json!("#1001");
    body["email"] = json!(EMAIL);
    body["customer"]["email"] = json!(EMAIL);
    let body = body.to_string();
    let resp = post_signed(
        system,
        shop,
        SHOP_SECRET,
        &[
            ("content-type", "application/json"),
            ("x-shopify-topic", "orders/create"),
            ("x-shopify-event-id", event),
            ("x-shopify-webhook-id", event),
            ("x-shopify-shop-domain", "maison-lumiere.myshopify.com"),
        ],
        body.as_bytes(),
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
}

/// The direct messages Hélène got so far.
fn received(x: &X) -> Vec<String> {
    x.state
        .messages()
        .into_iter()
        .filter(|m| m.participant == HELENE_X)
        .map(|m| m.text)
        .collect()
}

/// The direct messages Hélène got, once `count` have arrived (or after 15 s).
async fn messages(x: &X, count: usize) -> Vec<String> {
    for _ in 0..150 {
        if received(x).len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    received(x)
}

#[tokio::test]
async fn a_shopify_fulfillment_should_reach_an_opted_in_customer_as_one_direct_message_until_she_says_stop(
) {
    let x = x::start("liaison-x-client", None).await.expect("X double");
    x.state.tokens.grant("x-access-1", "x-refresh-1");
    let system = harness::system_with_parameters(
        harness::template(),
        liaison_local::registry::Registry::builtin(),
        &[("XApiBase", &x.url)],
    )
    .await;
    let account = register(
        &system,
        json!({"platform": "x", "name": "@MaisonLumiere", "secret": X_SECRET,
               "credentials": {"access_token": "x-access-1", "refresh_token": "x-refresh-1",
                               "client_id": "liaison-x-client"}}),
    )
    .await;
    let shop = register(
        &system,
        json!({"platform": "shopify", "name": "Boutique", "secret": SHOP_SECRET,
               "settings": {"shop_domain": "maison-lumiere.myshopify.com"}}),
    )
    .await;
    // Hélène connected her X account on the shop: one contact, her email and her X account.
    let site = create_source(&system, "Maison Lumière (site)").await;
    let connected = json!({"type": "social.connected", "timestamp": "2026-12-06T09:00:00Z",
        "data": {"platform": "x", "account": {"id": HELENE_X, "handle": "@helene_lfv"},
                 "customer": {"id": "cus_41", "email": EMAIL}, "connections": []}});
    let resp = deliver(
        &system,
        &site,
        "msg-helene",
        connected.to_string().as_bytes(),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 202);
    tokio::time::sleep(Duration::from_millis(800)).await;

    direct_message(&system, &account, "1860020000000000001", "Suivi").await;
    let got = messages(&x, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("Répondez ARRET"), "in French: {got:?}");

    order_placed(&system, &shop, "evt-order-1").await;
    let got = messages(&x, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[1].starts_with("Votre commande #1001 est confirmée."),
        "{got:?}"
    );

    let shipped_at = Instant::now();
    fulfillment(
        &system,
        &shop,
        "fulfillments/create",
        "evt-ship-1",
        "confirmed",
    )
    .await;
    // Shopify's retry of the same event, then an update that says nothing new.
    fulfillment(
        &system,
        &shop,
        "fulfillments/create",
        "evt-ship-1",
        "confirmed",
    )
    .await;
    fulfillment(
        &system,
        &shop,
        "fulfillments/update",
        "evt-ship-2",
        "in_transit",
    )
    .await;
    let got = messages(&x, 3).await;
    eprintln!(
        "order news from the fulfillment to the direct message: {} ms",
        shipped_at.elapsed().as_millis()
    );
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[2].starts_with("Votre commande #1001 est expédiée avec Colissimo."),
        "{got:?}"
    );
    assert!(got[2].contains("https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"));
    // The queues settle within a second locally: nothing more comes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(received(&x).len(), 3, "one message for the shipment");

    direct_message(&system, &account, "1860020000000000002", "ARRÊT").await;
    let got = messages(&x, 4).await;
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got[3].contains("plus de nouvelles de commande"), "{got:?}");
    fulfillment(
        &system,
        &shop,
        "fulfillments/update",
        "evt-ship-3",
        "delivered",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(received(&x).len(), 4, "nothing after STOP");
}
