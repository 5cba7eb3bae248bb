//! The HubSpot connector against the HubSpot double (`liaison_stack::doubles::hubspot`,
//! written from HubSpot's CRM v3 reference) and the local stack: an opportunity becomes one
//! deal on its author's contact even when HubSpot rate-limits the call or its answer is lost,
//! linked both ways; a contribution becomes a note on the contact's timeline; staff's win
//! moves the deal to `closedwon` with its amount, HubSpot's own close is not echoed; an
//! erasure is HubSpot's GDPR deletion.

mod support;

use axum::http::Method;
use chrono::Duration;
use liaison_stack::doubles::{hubspot, Fault};
use serde_json::{json, Value};
use shared::contracts::deliveries::endpoints::Kind;
use shared::contracts::deliveries::links::{Linked, Links};
use shared::contracts::deliveries::EventType;
use support::fixture;

const PORTAL: &str = "62515";
const TOKEN: &str = "pat-eu1-2f4e8c1a-7b3d-4e9f-a6c2-0d5b8e1f3a7c";
const DEALS: &str = "/crm/v3/objects/deals";

fn opportunity(id: &str, email: &str) -> Value {
    json!({
        "opportunity": {"id": id, "platform": "x", "status": "open",
                        "text": "Do you ship the blue one to Lyon? I want two"},
        "author": {"name": "Ada Lovelace", "email": email, "verified": true},
    })
}

fn deals_for(crm: &hubspot::Crm, opportunity_id: &str) -> Vec<hubspot::Deal> {
    crm.deals()
        .into_iter()
        .filter(|d| d.property("liaison_opportunity_id") == Some(opportunity_id))
        .collect()
}

#[tokio::test]
async fn an_opportunity_should_become_one_deal_on_its_contact_when_hubspot_limits_or_loses_the_answer(
) {
    let f = fixture().await;
    let (served, crm) = hubspot::start(TOKEN).await.expect("HubSpot double");
    let endpoint = f.connector(Kind::HubSpot, &served.url, PORTAL, TOKEN).await;
    let links = Links {
        client: f.resources.clients.dynamodb.clone(),
        table: f.resources.table("DeliveriesTable"),
    };

    served
        .recorder
        .fail_next_to(Method::POST, DEALS, hubspot::rate_limited(20));
    f.publish_data(
        EventType::OpportunityOpened,
        "opp_a",
        Some("ct_a"),
        opportunity("opp_a", "ada@example.com"),
    )
    .await;
    f.pump().await;
    assert!(deals_for(&crm, "opp_a").is_empty());
    f.clock.advance(Duration::seconds(21));
    f.pump().await;
    let deals = deals_for(&crm, "opp_a");
    assert_eq!(deals.len(), 1);
    let contact = crm.contact_by_email("ada@example.com").expect("a contact");
    assert_eq!(contact.property("firstname"), Some("Ada"));
    assert_eq!(deals[0].contact_ids, vec![contact.id.clone()]);
    assert_eq!(deals[0].stage(), Some("appointmentscheduled"));
    let origin = links
        .deal("hubspot", PORTAL, &deals[0].id)
        .await
        .unwrap()
        .expect("the way back from the deal");
    assert_eq!(
        (origin.opportunity_id.as_str(), origin.currency.as_str()),
        ("opp_a", "EUR")
    );

    // Created, then the connection cut: the retry finds the deal by its property.
    served
        .recorder
        .fail_next_to(Method::POST, DEALS, Fault::DropAfterActing);
    f.publish_data(
        EventType::OpportunityOpened,
        "opp_b",
        Some("ct_a"),
        opportunity("opp_b", "ada@example.com"),
    )
    .await;
    f.pump_while_moving(Duration::seconds(10), 5, || {
        deals_for(&crm, "opp_b").len() == 1
    })
    .await;
    f.clock.advance(Duration::seconds(10));
    f.pump().await;
    assert_eq!(deals_for(&crm, "opp_b").len(), 1, "one deal, not two");
    assert_eq!(crm.contacts().len(), 1, "one contact for the same person");
    assert_eq!(
        served
            .recorder
            .requests_to(Method::POST, "/crm/v3/objects/contacts/batch/upsert")
            .len(),
        1,
        "the contact is linked after its first upsert"
    );
    let log = f.log(&endpoint.id).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
}

#[tokio::test]
async fn notes_a_win_and_an_erasure_should_reach_hubspot_and_its_own_close_not_come_back() {
    let f = fixture().await;
    let (served, crm) = hubspot::start(TOKEN).await.expect("HubSpot double");
    let endpoint = f.connector(Kind::HubSpot, &served.url, PORTAL, TOKEN).await;
    f.publish_data(
        EventType::ContributionClassified,
        "evt_c1",
        Some("ct_c"),
        json!({"contribution": {"platform": "x", "text": "Do you ship to Lyon?",
                                "permalink": "https://x.com/ada/status/1",
                                "created_at": "2026-12-07T09:00:00Z"},
               "label": "purchase_intent",
               "author": {"name": "Ada", "email": "ada.c@example.com", "verified": true}}),
    )
    .await;
    f.publish_data(
        EventType::OpportunityOpened,
        "opp_c",
        Some("ct_c"),
        opportunity("opp_c", "ada.c@example.com"),
    )
    .await;
    let mut won = opportunity("opp_c", "ada.c@example.com");
    won["opportunity"]["status"] = json!("closed");
    won["opportunity"]["outcome"] = json!("won");
    won["opportunity"]["amount"] = json!("1250.5");
    won["opportunity"]["currency"] = json!("EUR");
    f.publish_data(
        EventType::OpportunityClosed,
        "opp_c#won",
        Some("ct_c"),
        won.clone(),
    )
    .await;
    won["by"] = json!("hubspot");
    f.publish_data(
        EventType::OpportunityClosed,
        "opp_c#again",
        Some("ct_c"),
        won,
    )
    .await;
    f.pump().await;

    let contact = crm
        .contact_by_email("ada.c@example.com")
        .expect("a contact");
    let notes = crm.notes();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].contact_ids, vec![contact.id.clone()]);
    assert!(notes[0]
        .body()
        .unwrap_or_default()
        .contains("Do you ship to Lyon?"));
    let deal = deals_for(&crm, "opp_c").remove(0);
    assert_eq!(deal.stage(), Some("closedwon"));
    assert_eq!(deal.property("amount"), Some("1250.5"));
    let patch = format!("{DEALS}/{}", deal.id);
    assert_eq!(served.recorder.requests_to(Method::PATCH, &patch).len(), 1);
    let log = f.log(&endpoint.id).await;
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");

    f.publish_data(
        EventType::ConsentChanged,
        "ct_c#unsubscribed",
        Some("ct_c"),
        json!({"contact_id": "ct_c", "consent": "unsubscribed", "channel": "email"}),
    )
    .await;
    f.pump().await;
    let told = crm.contact_by_email("ada.c@example.com").unwrap();
    assert_eq!(told.property("liaison_email_consent"), Some("unsubscribed"));
    assert!(told.property("liaison_email_consent_at").is_some());

    f.publish_data(
        EventType::ContactErased,
        "ct_c",
        Some("ct_c"),
        json!({"contact_id": "ct_c"}),
    )
    .await;
    f.pump().await;
    assert!(crm.contact_by_email("ada.c@example.com").is_none());
    assert!(crm.notes().is_empty());
    let links = Links {
        client: f.resources.clients.dynamodb.clone(),
        table: f.resources.table("DeliveriesTable"),
    };
    assert!(links
        .get(&endpoint.id, Linked::Contact, "ct_c")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_wrong_token_should_be_refused_and_an_author_without_a_vouched_email_make_no_contact() {
    let f = fixture().await;
    let (served, crm) = hubspot::start(TOKEN).await.expect("HubSpot double");
    let wrong = f
        .connector(Kind::HubSpot, &served.url, PORTAL, "pat-not-the-token")
        .await;
    let good = f.connector(Kind::HubSpot, &served.url, PORTAL, TOKEN).await;
    let mut unvouched = opportunity("opp_d", "typed@example.com");
    unvouched["author"]["email"] = Value::Null;
    f.publish_data(
        EventType::OpportunityOpened,
        "opp_d",
        Some("ct_d"),
        unvouched,
    )
    .await;
    f.pump().await;
    let refused = f.log(&wrong.id).await;
    assert_eq!(refused[0]["status"], "refused", "{refused:?}");
    assert_eq!(refused[0]["last_attempt"]["status"], 401);
    // A deal alone: nobody to put it on.
    let deals = deals_for(&crm, "opp_d");
    assert_eq!(deals.len(), 1);
    assert!(deals[0].contact_ids.is_empty());
    assert!(crm.contacts().is_empty());
    assert_eq!(f.log(&good.id).await[0]["status"], "delivered");
}
