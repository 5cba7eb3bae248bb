//! The brand's CRM end to end, through the local runner as `make dev` serves it, with HubSpot
//! played by its double (`liaison_stack::doubles::hubspot`): a purchase intent becomes a
//! HubSpot deal on its author's contact, with the comment as a note on the contact's
//! timeline; the salesperson winning the deal in HubSpot sends HubSpot's signed webhooks
//! (v3), which close the opportunity won with its amount, and the revenue report shows it;
//! erasing the contact sends `contact.erased` and HubSpot's GDPR deletion, and nothing of
//! the person remains there.

use e2e::SendChecked;
use std::time::Duration;

use e2e::platforms::{hmac_sha256, register};
use e2e::{b64, create_source, deliver_contribution, staff};
use liaison_local::harness::{self, TestSystem};
use liaison_stack::doubles::hubspot;
use serde_json::{json, Value};

use crate::webhooks::PythonReceiver;

const PORTAL: u64 = 62515;
const APP: u64 = 1160452;
const TOKEN: &str = "pat-eu1-5c1e9a7b-3d2f-4a8e-b6c0-9e4d2f7a1b3c";
const CLIENT_SECRET: &str = "3f9b2c71-8e4a-4d6f-a0b5-c7e1d9f2a864";

async fn admin(system: &TestSystem, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    staff(system, method, path, "liaison-admin", body).await
}

/// HubSpot's webhook as HubSpot signs it (v3): base64 HMAC-SHA256(client secret, method +
/// the https URI it called + body + timestamp in milliseconds).
async fn hubspot_webhook(system: &TestSystem, source_id: &str, secret: &str, body: &Value) -> u16 {
    let body = body.to_string();
    let url = system.url(&format!("/hooks/{source_id}"));
    let signed_uri = url.replacen("http://", "https://", 1);
    let timestamp = chrono::Utc::now().timestamp_millis().to_string();
    let data = format!("POST{signed_uri}{body}{timestamp}");
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-hubspot-request-timestamp", &timestamp)
        .header(
            "x-hubspot-signature-v3",
            b64(&hmac_sha256(secret, data.as_bytes())),
        )
        .body(body)
        .send_checked()
        .await
        .expect("runner reachable")
        .status()
        .as_u16()
}

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..150 {
        if let Some(found) = probe() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test]
async fn a_purchase_intent_should_become_a_hubspot_deal_whose_win_there_shows_in_the_revenue_report(
) {
    let receiver = PythonReceiver::start().await;
    let (crm_served, crm) = hubspot::start(TOKEN).await.expect("HubSpot double");
    let system = harness::system().await;

    let (status, refused) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(
            json!({"kind": "hubspot", "url": crm_served.url, "account": PORTAL.to_string(),
                    "token": TOKEN}),
        ),
    )
    .await;
    assert_eq!(status, 400, "a CRM needs its currency: {refused}");
    let (status, connector) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(
            json!({"kind": "hubspot", "url": crm_served.url, "account": PORTAL.to_string(),
                    "token": TOKEN, "currency": "eur", "description": "HubSpot"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{connector}");
    assert_eq!(connector["currency"], "EUR");
    assert!(!connector.to_string().contains(TOKEN));
    let (status, hook) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({"url": format!("{}/hook", receiver.base),
                    "types": ["opportunity.opened", "opportunity.closed", "contact.erased"]})),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    receiver.set_secret(hook["secret"].as_str().unwrap()).await;
    let hubspot_source = register(
        &system,
        json!({"platform": "hubspot", "name": "HubSpot", "secret": CLIENT_SECRET}),
    )
    .await;

    // A signed-in customer asks to buy.
    let shop = create_source(&system, "shop").await;
    deliver_contribution(
        &system,
        &shop,
        "buy-1",
        json!({"id": "c-buy-1", "kind": "comment", "created_at": "2026-12-07T10:00:00Z",
               "text": "Do you ship to Canada? I want to order two lamps",
               "author": {"name": "Ada Lovelace", "email": "ada@example.com", "verified": true}}),
    )
    .await;
    let opened = receiver.first_of("opportunity.opened").await;
    assert_eq!(opened["verified"], true);
    let opportunity_id = opened["body"]["data"]["opportunity"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deal = eventually("a HubSpot deal", || {
        crm.deals()
            .into_iter()
            .find(|d| d.property("liaison_opportunity_id") == Some(opportunity_id.as_str()))
    })
    .await;
    let contact = crm
        .contact_by_email("ada@example.com")
        .expect("the contact");
    assert_eq!(deal.contact_ids, vec![contact.id.clone()]);
    let note = eventually("a note on the contact", || {
        crm.notes()
            .into_iter()
            .find(|n| n.contact_ids.contains(&contact.id))
    })
    .await;
    assert!(note.body().unwrap_or_default().contains("order two lamps"));

    // Won in HubSpot, with its amount: a forged webhook first, refused.
    assert!(crm.set_deal_stage(&deal.id, "closedwon"));
    let stage = crm.deal_property_change_event(&deal.id, "dealstage", "closedwon", APP, PORTAL);
    let amount = crm.deal_property_change_event(&deal.id, "amount", "1250.50", APP, PORTAL);
    let status = hubspot_webhook(&system, &hubspot_source.id, "not-the-secret", &stage).await;
    assert_eq!(status, 401);
    for event in [&amount, &stage] {
        let status = hubspot_webhook(&system, &hubspot_source.id, CLIENT_SECRET, event).await;
        assert_eq!(status, 202);
    }
    let closed = receiver.first_of("opportunity.closed").await;
    assert_eq!(closed["verified"], true);
    assert_eq!(closed["body"]["data"]["by"], "hubspot");
    assert_eq!(closed["body"]["data"]["opportunity"]["outcome"], "won");
    let today = chrono::Utc::now().date_naive();
    let mut report = Value::Null;
    for _ in 0..50 {
        report = staff(
            &system,
            "GET",
            &format!(
                "/admin/reports/revenue?from={}&to={today}",
                today - chrono::Duration::days(7)
            ),
            "liaison-sales",
            None,
        )
        .await
        .1;
        if report["opportunities"]["revenue"]["EUR"] == "1250.5" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(report["opportunities"]["won"], 1, "{report}");
    assert_eq!(
        report["opportunities"]["revenue"],
        json!({"EUR": "1250.5"}),
        "{report}"
    );
    assert_eq!(
        report["opportunities"]["by_platform"]["standard-webhooks"]["EUR"],
        "1250.5"
    );
    let (_, item) = staff(
        &system,
        "GET",
        &format!("/admin/opportunities/{opportunity_id}"),
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(
        (&item["amount"], &item["currency"], &item["stage"]),
        (&json!("1250.5"), &json!("EUR"), &json!("closedwon"))
    );
    // HubSpot closed it: it is not told back.
    let patch = format!("/crm/v3/objects/deals/{}", deal.id);
    assert!(crm_served
        .recorder
        .requests_to(axum::http::Method::PATCH, &patch)
        .is_empty());

    // Erased in Liaison: HubSpot's GDPR deletion, and the endpoint's contact.erased.
    let contact_id = opened["body"]["contact_id"].as_str().unwrap();
    let (status, _) = admin(
        &system,
        "DELETE",
        &format!("/admin/contacts/{contact_id}"),
        None,
    )
    .await;
    assert!(status == 200 || status == 204, "{status}");
    let erased = receiver.first_of("contact.erased").await;
    assert_eq!(erased["verified"], true);
    eventually("the HubSpot contact gone", || {
        crm.contact_by_email("ada@example.com")
            .is_none()
            .then_some(())
    })
    .await;
    assert!(crm
        .notes()
        .iter()
        .all(|n| !n.contact_ids.contains(&contact.id)));
    assert_eq!(
        crm_served
            .recorder
            .requests_to(
                axum::http::Method::POST,
                "/crm/v3/objects/contacts/gdpr-delete"
            )
            .len(),
        1
    );
}
