//! Questions go to a queue of their own: customer service's unless a brand rule gives them
//! to marketing, each with an SLA; the owners list, assign and close them through the admin
//! API with their own groups; a question is on its author's export and goes with their
//! erasure.

use std::time::Duration;

use e2e::{create_source, deliver, staff};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};

fn comment(id: &str, text: &str) -> Vec<u8> {
    json!({
        "type": "contribution.created",
        "data": {"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
                 "author": {"name": "Curious", "email": format!("{id}@example.com")}}
    })
    .to_string()
    .into_bytes()
}

/// `GET path` as `group` once it lists `n` items under `questions` (10 s at most).
async fn questions(system: &TestSystem, path: &str, group: &str, n: usize) -> Vec<Value> {
    let mut items = Vec::new();
    for _ in 0..100 {
        let (status, body) = staff(system, "GET", path, group, None).await;
        assert_eq!(status, 200, "{body}");
        items = body["questions"].as_array().cloned().unwrap_or_default();
        if items.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    items
}

#[tokio::test]
async fn questions_should_reach_their_owner_with_an_sla_and_leave_with_their_author() {
    let system = harness::system().await;
    let wholesale = json!({"name": "Wholesale is marketing's", "order": 1,
        "when": {"keywords": ["wholesale", "revendeur"]},
        "then": {"route": "question", "owner": "marketing", "priority": "P2"}});
    let (status, body) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-admin",
        Some(wholesale),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-admin",
        Some(json!({"name": "x", "when": {"keywords": ["a"]}, "then": {"owner": "sales"}})),
    )
    .await;
    assert_eq!(status, 400, "an owner is support or marketing: {body}");

    let source = create_source(&system, "blog").await;
    deliver(
        &system,
        &source,
        "q1",
        &comment("q1", "Do you sell wholesale to shops in Belgium?"),
    )
    .await;
    deliver(
        &system,
        &source,
        "q2",
        &comment(
            "q2",
            "How do I change the bulb of the desk lamp? Is there a guide somewhere?",
        ),
    )
    .await;

    let all = questions(&system, "/admin/questions", "liaison-support", 2).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let marketing = questions(
        &system,
        "/admin/questions?owner=marketing",
        "liaison-marketer",
        1,
    )
    .await;
    assert_eq!(marketing.len(), 1, "{marketing:?}");
    let (status, wholesale) = staff(
        &system,
        "GET",
        &format!("/admin/questions/{}", marketing[0]["id"].as_str().unwrap()),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(wholesale["owner"], "marketing");
    assert_eq!(wholesale["priority"], "P2");
    assert!(wholesale["text"].as_str().unwrap().contains("wholesale"));
    let support = questions(
        &system,
        "/admin/questions?owner=support",
        "liaison-support",
        1,
    )
    .await;
    assert_eq!(support.len(), 1);
    let (_, bulb) = staff(
        &system,
        "GET",
        &format!("/admin/questions/{}", support[0]["id"].as_str().unwrap()),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(bulb["priority"], "P3", "a day unless a rule says: {bulb}");
    let opened: chrono::DateTime<chrono::Utc> =
        bulb["opened_at"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> = bulb["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - opened, chrono::Duration::hours(24));

    // Sales have no questions; an owner that is not a team is refused; cases have none.
    let (status, _) = staff(&system, "GET", "/admin/questions", "liaison-sales", None).await;
    assert_eq!(status, 403);
    let (status, body) = staff(
        &system,
        "GET",
        "/admin/questions?owner=sales",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_request");
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/cases?owner=support",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 400);

    // Marketing works its question: assigned, then closed.
    let id = wholesale["id"].as_str().unwrap().to_string();
    let (status, assigned) = staff(
        &system,
        "POST",
        &format!("/admin/questions/{id}/assign"),
        "liaison-marketer",
        Some(json!({"assignee": "camille"})),
    )
    .await;
    assert_eq!((status, &assigned["assignee"]), (200, &json!("camille")));
    let (status, closed) = staff(
        &system,
        "POST",
        &format!("/admin/questions/{id}/close"),
        "liaison-marketer",
        Some(json!({"resolution": "Sent the reseller terms"})),
    )
    .await;
    assert_eq!((status, &closed["status"]), (200, &json!("closed")));
    let (status, _) = staff(
        &system,
        "POST",
        &format!("/admin/questions/{id}/close"),
        "liaison-marketer",
        Some(json!({"outcome": "won"})),
    )
    .await;
    assert_eq!(status, 400, "only an opportunity is won or lost");
    let left = questions(&system, "/admin/questions", "liaison-support", 1).await;
    assert_eq!(left.len(), 1, "the closed one leaves the open list");

    // The question is its author's: exported with them, erased with them.
    let contact = bulb["contact_id"].as_str().expect("a contact").to_string();
    let (status, export) = staff(
        &system,
        "GET",
        &format!("/admin/contacts/{contact}/export"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(export["questions"].as_array().unwrap().len(), 1, "{export}");
    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{contact}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = staff(
        &system,
        "GET",
        &format!("/admin/questions/{}", bulb["id"].as_str().unwrap()),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 404, "erased with its author");
    // The endpoints were told of both; what is kept of the erased author's is forgotten.
    let opened = system.resources.published_events("question.opened").await;
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert!(opened[0].contains("wholesale") && opened[0].contains("\"owner\":\"marketing\""));
    let closed = system.resources.published_events("question.closed").await;
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(closed[0].contains("Sent the reseller terms"));
}
