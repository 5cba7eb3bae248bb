//! The brand's helpdesk end to end, through the local runner as `make dev` serves it, with
//! Zendesk played by its double (`liaison_stack::doubles::zendesk`): an incident comment
//! opens a Zendesk ticket and a signed `case.opened` that the Standard Webhooks authors'
//! library verifies; the agent solving the ticket in Zendesk sends Zendesk's signed event
//! webhook, which closes the case and tells the endpoints; erasing the contact deletes the
//! requester in Zendesk for good.

use e2e::SendChecked;
use std::time::Duration;

use e2e::platforms::{hmac_sha256, register};
use e2e::{b64, create_source, deliver_contribution, staff};
use liaison_local::harness::{self, TestSystem};
use liaison_stack::doubles::zendesk;
use serde_json::{json, Value};

use crate::webhooks::PythonReceiver;

const AGENT: &str = "support@brand.example";
const TOKEN: &str = "6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv";
const SIGNING_SECRET: &str = "dGhpc2lzYXNpZ25pbmdzZWNyZXRmb3J6ZW5kZXNr";

async fn admin(system: &TestSystem, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    staff(system, method, path, "liaison-admin", body).await
}

/// Zendesk's event webhook as Zendesk signs it: base64 HMAC-SHA256(secret, timestamp + body).
async fn zendesk_webhook(system: &TestSystem, source_id: &str, secret: &str, body: &Value) -> u16 {
    let body = body.to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut signed = timestamp.clone().into_bytes();
    signed.extend_from_slice(body.as_bytes());
    reqwest::Client::new()
        .post(system.url(&format!("/hooks/{source_id}")))
        .header("content-type", "application/json")
        .header("x-zendesk-webhook-signature-timestamp", &timestamp)
        .header(
            "x-zendesk-webhook-signature",
            b64(&hmac_sha256(secret, &signed)),
        )
        .body(body)
        .send_checked()
        .await
        .expect("runner reachable")
        .status()
        .as_u16()
}

async fn case_status(system: &TestSystem, case_id: &str) -> Value {
    let (status, case) = staff(
        system,
        "GET",
        &format!("/admin/cases/{case_id}"),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 200, "{case}");
    case
}

#[tokio::test]
async fn an_incident_should_open_a_zendesk_ticket_that_closes_its_case_when_solved_there() {
    let receiver = PythonReceiver::start().await;
    let (desk_served, desk) = zendesk::start(AGENT, TOKEN).await.expect("Zendesk double");
    let system = harness::system().await;

    // The helpdesk as a connector: its token is never shown again; bad logins are refused.
    let (status, refused) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({"kind": "zendesk", "url": desk_served.url, "token": TOKEN})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_request");
    let (status, refused) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(
            json!({"kind": "zendesk", "url": desk_served.url, "account": AGENT,
                    "token": TOKEN, "types": ["referral.converted"]}),
        ),
    )
    .await;
    assert_eq!(
        status, 400,
        "a Zendesk endpoint takes what it handles only: {refused}"
    );
    let (status, connector) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(
            json!({"kind": "zendesk", "url": desk_served.url, "account": AGENT,
                    "token": TOKEN, "description": "Zendesk Support"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{connector}");
    assert!(!connector.to_string().contains(TOKEN) && connector.get("secret").is_none());
    assert_eq!(connector["token_set"], true);
    assert_eq!(
        connector["types"],
        json!(["case.opened", "case.closed", "contact.erased"])
    );
    let connector_id = connector["id"].as_str().unwrap().to_string();
    let (status, _) = admin(
        &system,
        "POST",
        &format!("/admin/endpoints/{connector_id}/secret"),
        None,
    )
    .await;
    assert_eq!(status, 409, "a connector has no secret to rotate");

    // A webhook endpoint beside it, verified by the official library.
    let (status, hook) = admin(
        &system,
        "POST",
        "/admin/endpoints",
        Some(json!({"url": format!("{}/hook", receiver.base),
                    "types": ["case.opened", "case.closed"]})),
    )
    .await;
    assert_eq!(status, 201, "{hook}");
    receiver.set_secret(hook["secret"].as_str().unwrap()).await;

    // Zendesk's webhook, registered as a source with the signing secret Zendesk shows.
    let zendesk_source = register(
        &system,
        json!({"platform": "zendesk", "name": "Zendesk", "secret": SIGNING_SECRET}),
    )
    .await;

    // An incident from a signed-in customer.
    let blog = create_source(&system, "shop").await;
    deliver_contribution(
        &system,
        &blog,
        "inc-1",
        json!({"id": "c-inc-1", "kind": "comment", "created_at": "2026-12-07T10:00:00Z",
               "url": "https://shop.example/orders/help#c-inc-1",
               "text": "My order never arrived and nobody answers, this is unacceptable",
               "author": {"name": "Hélène Lefèvre", "email": "helene@example.com", "verified": true}}),
    )
    .await;
    let opened = receiver.first_of("case.opened").await;
    assert_eq!(opened["verified"], true, "{opened}");
    let case_id = opened["body"]["data"]["case"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ticket = None;
    for _ in 0..150 {
        ticket = desk
            .tickets()
            .into_iter()
            .find(|t| t.external_id.as_deref() == Some(case_id.as_str()));
        if ticket.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ticket = ticket.expect("a Zendesk ticket for the case");
    let priority = match opened["body"]["data"]["case"]["priority"].as_str() {
        Some("P1") => "urgent",
        Some("P2") => "high",
        _ => "normal",
    };
    assert_eq!(ticket.priority.as_deref(), Some(priority));
    assert!(!ticket.comments[0].public);
    assert!(ticket.comments[0].body.contains("#c-inc-1"));
    let requester = desk.user(ticket.requester_id).unwrap();
    assert_eq!(requester.email.as_deref(), Some("helene@example.com"));

    // A forged webhook is refused and changes nothing.
    let previous = desk.set_status(ticket.id, "solved").expect("the ticket");
    let event = desk.status_changed_event(ticket.id, &previous.to_uppercase(), "SOLVED");
    let status = zendesk_webhook(&system, &zendesk_source.id, "not-the-secret", &event).await;
    assert_eq!(status, 401);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(case_status(&system, &case_id).await["status"], "open");

    // Zendesk's own: the case closes, the endpoints are told, Zendesk is not told back.
    let status = zendesk_webhook(&system, &zendesk_source.id, SIGNING_SECRET, &event).await;
    assert_eq!(status, 202);
    let closed = receiver.first_of("case.closed").await;
    assert_eq!(closed["verified"], true);
    assert_eq!(closed["body"]["data"]["by"], "zendesk");
    let case = case_status(&system, &case_id).await;
    assert_eq!(
        (&case["status"], &case["closed_by"]),
        (&json!("closed"), &json!("zendesk"))
    );
    // Delivered again by Zendesk: the same event, one effect.
    let status = zendesk_webhook(&system, &zendesk_source.id, SIGNING_SECRET, &event).await;
    assert_eq!(status, 200);
    let mut log = Value::Null;
    for _ in 0..100 {
        log = admin(
            &system,
            "GET",
            &format!("/admin/endpoints/{connector_id}/deliveries"),
            None,
        )
        .await
        .1;
        if log["deliveries"].as_array().is_some_and(|d| d.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(log["deliveries"][0]["type"], "case.closed", "{log}");
    assert_eq!(
        log["deliveries"][0]["last_attempt"]["response"],
        "solved in Zendesk: nothing to tell it"
    );
    let put = format!("/api/v2/tickets/{}.json", ticket.id);
    assert!(desk_served
        .recorder
        .requests_to(axum::http::Method::PUT, &put)
        .is_empty());

    // The person's export says what was sent where and when.
    let contact = opened["body"]["contact_id"].as_str().unwrap();
    let (status, export) = admin(
        &system,
        "GET",
        &format!("/admin/contacts/{contact}/export"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{export}");
    let sent = export["sent"].as_array().expect("what was sent");
    let to_zendesk = sent
        .iter()
        .find(|s| s["kind"] == "zendesk" && s["type"] == "case.opened")
        .unwrap_or_else(|| panic!("{export}"));
    assert_eq!(to_zendesk["to"], desk_served.url);
    assert_eq!(to_zendesk["status"], "delivered");
    assert!(to_zendesk["sent_at"].is_string());
    assert!(sent
        .iter()
        .any(|s| s["kind"] == "webhook" && s["type"] == "case.closed"));

    // Erased in Liaison: deleted in Zendesk for good.
    let (status, _) = admin(
        &system,
        "DELETE",
        &format!("/admin/contacts/{contact}"),
        None,
    )
    .await;
    assert!(status == 200 || status == 204, "{status}");
    for _ in 0..150 {
        if desk.permanently_deleted(ticket.requester_id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(desk.permanently_deleted(ticket.requester_id));
    assert!(desk.user_by_email("helene@example.com").is_none());
}
