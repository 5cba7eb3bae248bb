//! The Zendesk connector against the Zendesk double (`liaison_stack::doubles::zendesk`,
//! written from Zendesk's API reference) and the local stack: a case opens one ticket even
//! when Zendesk rate-limits the call or its answer is lost; staff's close solves it and
//! Zendesk's own does not come back to it; an erasure deletes the requester for good; a
//! wrong token is refused with its reason, and the test button checks the login.

mod support;

use axum::http::Method;
use chrono::Duration;
use liaison_stack::doubles::{zendesk, Fault};
use serde_json::{json, Value};
use shared::contracts::deliveries::endpoints::Kind;
use shared::contracts::deliveries::links::{Linked, Links};
use shared::contracts::deliveries::EventType;
use support::fixture;

const AGENT: &str = "agent@brand.example";
const TOKEN: &str = "wAlBKsd8yfm7Hdqzw2nCqG3Vyap2u8xl3S0TfXxc";
const TICKETS: &str = "/api/v2/tickets.json";

fn case(id: &str, contact: &str, priority: &str) -> Value {
    json!({
        "case": {"id": id, "contact_id": contact, "platform": "wordpress", "priority": priority,
                 "due_at": "2026-12-07T11:00:00Z", "status": "open", "tags": ["vip"],
                 "permalink": "https://blog.example/2026/12/parcel#comment-41",
                 "text": "My parcel arrived broken and nobody answers"},
        "author": {"name": "Hélène Lefèvre", "email": "helene@example.com", "verified": true},
    })
}

fn tickets_for(desk: &zendesk::Desk, case_id: &str) -> Vec<zendesk::Ticket> {
    desk.tickets()
        .into_iter()
        .filter(|t| t.external_id.as_deref() == Some(case_id))
        .collect()
}

#[tokio::test]
async fn a_case_should_open_one_ticket_when_zendesk_limits_the_call_or_its_answer_is_lost() {
    let f = fixture().await;
    let (served, desk) = zendesk::start(AGENT, TOKEN).await.expect("Zendesk double");
    let endpoint = f.connector(Kind::Zendesk, &served.url, AGENT, TOKEN).await;

    // Rate-limited first: the delivery waits for Retry-After, then opens the ticket.
    served
        .recorder
        .fail_next_to(Method::POST, TICKETS, zendesk::rate_limited(40));
    f.publish_data(
        EventType::CaseOpened,
        "case_a",
        Some("ct_a"),
        case("case_a", "ct_a", "P1"),
    )
    .await;
    f.pump().await;
    assert!(tickets_for(&desk, "case_a").is_empty());
    f.clock.advance(Duration::seconds(20));
    f.pump().await;
    assert!(
        tickets_for(&desk, "case_a").is_empty(),
        "Retry-After honoured"
    );
    f.clock.advance(Duration::seconds(25));
    f.pump().await;
    let tickets = tickets_for(&desk, "case_a");
    assert_eq!(tickets.len(), 1);
    let ticket = &tickets[0];
    assert_eq!(ticket.priority.as_deref(), Some("urgent"));
    assert!(
        ticket.tags.contains(&"vip".to_string()),
        "{:?}",
        ticket.tags
    );
    assert!(
        !ticket.comments[0].public,
        "the contribution is a private note"
    );
    assert!(ticket.comments[0].body.contains("#comment-41"));
    let requester = desk.user(ticket.requester_id).expect("the requester");
    assert_eq!(requester.email.as_deref(), Some("helene@example.com"));

    // Created, then the connection cut before the answer: the retry finds it.
    served
        .recorder
        .fail_next_to(Method::POST, TICKETS, Fault::DropAfterActing);
    f.publish_data(
        EventType::CaseOpened,
        "case_b",
        Some("ct_b"),
        case("case_b", "ct_b", "P3"),
    )
    .await;
    f.pump_while_moving(Duration::seconds(10), 5, || {
        tickets_for(&desk, "case_b").len() == 1
    })
    .await;
    f.clock.advance(Duration::seconds(10));
    f.pump().await;
    assert_eq!(tickets_for(&desk, "case_b").len(), 1, "one ticket, not two");
    assert_eq!(
        served.recorder.requests_to(Method::POST, TICKETS).len(),
        3,
        "429, then one creation per case"
    );
    let log = f.log(&endpoint.id).await;
    let b = log
        .iter()
        .find(|d| d["contact_id"] == "ct_b")
        .unwrap_or_else(|| panic!("{log:?}"));
    assert_eq!(b["status"], "delivered");
    assert_eq!(b["attempts"], 2, "{b}");
    assert!(b["last_attempt"]["response"]
        .as_str()
        .unwrap()
        .starts_with("ticket "));
    let links = Links {
        client: f.resources.clients.dynamodb.clone(),
        table: f.resources.table("DeliveriesTable"),
    };
    let linked = links
        .get(&endpoint.id, Linked::Case, "case_b")
        .await
        .unwrap()
        .expect("the case's ticket");
    assert_eq!(
        linked.external_id,
        tickets_for(&desk, "case_b")[0].id.to_string()
    );
}

#[tokio::test]
async fn a_close_should_solve_the_ticket_once_and_an_erasure_delete_the_requester_for_good() {
    let f = fixture().await;
    let (served, desk) = zendesk::start(AGENT, TOKEN).await.expect("Zendesk double");
    let endpoint = f.connector(Kind::Zendesk, &served.url, AGENT, TOKEN).await;
    f.publish_data(
        EventType::CaseOpened,
        "case_c",
        Some("ct_c"),
        case("case_c", "ct_c", "P2"),
    )
    .await;
    f.pump().await;
    let ticket = tickets_for(&desk, "case_c").remove(0);

    // Closed by staff in Liaison: solved in Zendesk, with the resolution as a private note.
    let mut closed = case("case_c", "ct_c", "P2");
    closed["case"]["status"] = json!("closed");
    closed["case"]["resolution"] = json!("refund sent");
    f.publish_data(
        EventType::CaseClosed,
        "case_c#closed",
        Some("ct_c"),
        closed.clone(),
    )
    .await;
    // Closed by Zendesk itself: told to every endpoint, but not back to Zendesk.
    closed["by"] = json!("zendesk");
    f.publish_data(
        EventType::CaseClosed,
        "case_c#closed-again",
        Some("ct_c"),
        closed,
    )
    .await;
    f.pump().await;
    let solved = desk.ticket(ticket.id).unwrap();
    assert_eq!(solved.status, "solved");
    assert!(solved
        .comments
        .iter()
        .any(|c| !c.public && c.body.contains("refund sent")));
    let path = format!("/api/v2/tickets/{}.json", ticket.id);
    assert_eq!(served.recorder.requests_to(Method::PUT, &path).len(), 1);

    let log = f.log(&endpoint.id).await;
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");

    // Erased in Liaison: the requester is deleted, then deleted for good.
    f.publish_data(
        EventType::ContactErased,
        "ct_c",
        Some("ct_c"),
        json!({"contact_id": "ct_c"}),
    )
    .await;
    f.pump().await;
    assert!(desk.permanently_deleted(ticket.requester_id));
    assert!(desk.user_by_email("helene@example.com").is_none());
    let links = Links {
        client: f.resources.clients.dynamodb.clone(),
        table: f.resources.table("DeliveriesTable"),
    };
    assert!(links
        .get(&endpoint.id, Linked::Contact, "ct_c")
        .await
        .unwrap()
        .is_none());
    // Liaison's own log of the contact went with it; the erasure's stays.
    let log = f.log(&endpoint.id).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["type"], "contact.erased");
    assert_eq!(log[0]["status"], "delivered");
}

#[tokio::test]
async fn a_wrong_token_should_be_refused_with_its_reason_and_the_test_check_the_login() {
    let f = fixture().await;
    let (served, desk) = zendesk::start(AGENT, TOKEN).await.expect("Zendesk double");
    let good = f.connector(Kind::Zendesk, &served.url, AGENT, TOKEN).await;
    let wrong = f
        .connector(Kind::Zendesk, &served.url, AGENT, "not-the-token")
        .await;
    for endpoint in [&good, &wrong] {
        let mut test = shared::contracts::deliveries::Event::new(
            EventType::WebhookTest,
            &format!("{}#test", endpoint.id),
            f.clock.now(),
            None,
            json!({"endpoint_id": endpoint.id}),
        );
        test.endpoint_id = Some(endpoint.id.clone());
        f.events.publish(&test).await.unwrap();
    }
    f.publish_data(
        EventType::CaseOpened,
        "case_d",
        Some("ct_d"),
        case("case_d", "ct_d", "P3"),
    )
    .await;
    f.pump().await;
    let good_log = f.log(&good.id).await;
    let test = good_log
        .iter()
        .find(|d| d["type"] == "webhook.test")
        .unwrap();
    assert_eq!(test["status"], "delivered", "{test}");
    assert!(test["last_attempt"]["response"]
        .as_str()
        .unwrap()
        .starts_with("signed in as user"));
    let wrong_log = f.log(&wrong.id).await;
    assert_eq!(wrong_log.len(), 2, "{wrong_log:?}");
    for delivery in &wrong_log {
        assert_eq!(delivery["status"], "refused", "{delivery}");
        assert_eq!(delivery["last_attempt"]["status"], 401);
    }
    // The good endpoint opened the case's one ticket; the wrong one nothing.
    assert_eq!(tickets_for(&desk, "case_d").len(), 1);
}
