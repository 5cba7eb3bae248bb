//! A known customer's incident: staff mark a contact as a customer, and the incident they
//! then post opens exactly one case (carrying who they are), one helpdesk message and one
//! alert. A contact's timeline reads newest first, a page at a time.

use e2e::{create_source, deliver_contribution, recorded, staff};
use liaison_local::harness;
use serde_json::{json, Value};

fn comment(id: &str, text: &str, email: &str) -> Value {
    json!({"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
           "author": {"name": "Camille", "email": email}})
}

#[tokio::test]
async fn an_incident_from_a_known_customer_should_open_one_case_one_message_and_one_alert() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let email = "camille.client@example.fr";
    let first = deliver_contribution(
        &system,
        &source,
        "w1",
        comment("c1", "Merci, livraison rapide et produit superbe !", email),
    )
    .await;
    let record = recorded(&system, &first).await.expect("recorded");
    let contact = record["contact_id"].as_str().unwrap().to_string();
    let path = format!("/admin/contacts/{contact}");

    // What staff may and may not set.
    let (status, body) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(json!({"type": "client"})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("type")),
        "{body}"
    );
    let (status, _) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-marketer",
        Some(json!({"type": "customer"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = staff(
        &system,
        "PATCH",
        "/admin/contacts/ct_nobody",
        "liaison-support",
        Some(json!({"type": "customer"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, person) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(json!({"type": "customer"})),
    )
    .await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["profile"]["type"], "customer");
    assert_eq!(person["profile"]["type_set_by"], "test-user");

    let incident = deliver_contribution(
        &system,
        &source,
        "w2",
        comment(
            "c2",
            "Ma commande est arrivée cassée, le verre est brisé. Je veux un remboursement.",
            email,
        ),
    )
    .await;
    let record = recorded(&system, &incident).await.expect("recorded");
    assert_eq!(record["classification"]["label"], "incident", "{record}");
    assert_eq!(record["contact_id"], contact.as_str());
    // The same webhook again (the platform retries): nothing more.
    let body = json!({"type": "contribution.created", "data": comment("c2", "Ma commande est arrivée cassée, le verre est brisé. Je veux un remboursement.", email)});
    e2e::deliver(&system, &source, "w2", body.to_string().as_bytes()).await;

    let case_id = e2e::case_id_of(&system, &incident).await;
    let mut case = Value::Null;
    for _ in 0..100 {
        let (status, found) = staff(
            &system,
            "GET",
            &format!("/admin/cases/{case_id}"),
            "liaison-support",
            None,
        )
        .await;
        if status == 200 && found["alert_sent"] == true {
            case = found;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(case["contact_type"], "customer", "{case}");
    assert_eq!(system.resources.count_items("CasesTable").await, 1);
    let opened = system.resources.published_events("case.opened").await;
    assert_eq!(opened.len(), 1);
    assert!(opened[0].contains(&case_id));
    let alerts = system
        .resources
        .sent_emails()
        .await
        .into_iter()
        .filter(|m| m.to_string().contains(&case_id))
        .count();
    assert_eq!(alerts, 1);
}

#[tokio::test]
async fn a_long_timeline_should_read_newest_first_a_page_at_a_time() {
    let system = harness::system().await;
    let source = create_source(&system, "forum").await;
    let email = "bavard@example.com";
    let mut ids = Vec::new();
    for n in 0..23 {
        let data = comment(
            &format!("c{n}"),
            &format!("Message numéro {n} du fil"),
            email,
        );
        ids.push(deliver_contribution(&system, &source, &format!("w{n}"), data).await);
    }
    // Every one recorded.
    let mut contact = String::new();
    for id in &ids {
        contact = recorded(&system, id).await.expect("recorded")["contact_id"]
            .as_str()
            .unwrap()
            .to_string();
    }
    let path = format!("/admin/contacts/{contact}");
    let (_, first) = staff(&system, "GET", &path, "liaison-sales", None).await;
    let page: Vec<&Value> = first["timeline"].as_array().unwrap().iter().collect();
    assert_eq!(page.len(), 20);
    let times: Vec<&str> = page
        .iter()
        .map(|e| e["timeline_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let next = first["next"].as_str().expect("a next page");
    // As a client sends it: escaped (a `+` in a query string reads as a space).
    let escaped = next.replace('+', "%2B").replace(':', "%3A");
    let (status, second) = staff(
        &system,
        "GET",
        &format!("{path}?before={escaped}"),
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(status, 200, "{second}");
    // 23 comments and the one verification email their address got: 24 entries.
    let rest = second["timeline"].as_array().unwrap();
    assert_eq!(rest.len(), 4);
    assert!(second["next"].is_null());
    let mut seen: Vec<&str> = page
        .iter()
        .copied()
        .chain(rest.iter())
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 24, "every entry once across the pages");
    let (status, _) = staff(
        &system,
        "GET",
        &format!("{path}?before=yesterday"),
        "liaison-sales",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_contact_whose_type_changes_should_have_their_influence_recomputed_at_once() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let mut post = comment(
        "r1",
        "Très beau luminaire, je le recommande.",
        "ines.redac@example.fr",
    );
    post["author"]["followers"] = json!(50_000);
    let event = deliver_contribution(&system, &source, "w1", post).await;
    let record = recorded(&system, &event).await.expect("recorded");
    let path = format!("/admin/contacts/{}", record["contact_id"].as_str().unwrap());
    let influence = |person: &Value| person["profile"]["influence"].as_f64().unwrap();

    let (status, before) = staff(&system, "GET", &path, "liaison-support", None).await;
    assert_eq!(status, 200, "{before}");
    assert!(influence(&before) > 0.0, "{before}");
    let (status, journalist) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(json!({"type": "journalist"})),
    )
    .await;
    assert_eq!(status, 200, "{journalist}");
    assert!(
        influence(&journalist) > influence(&before),
        "a journalist's reach weighs more, in the same request: {before} {journalist}"
    );
    let (_, blogger) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(json!({"type": "blogger"})),
    )
    .await;
    assert!(influence(&blogger) < influence(&journalist), "{blogger}");
    assert!(influence(&blogger) > influence(&before), "{blogger}");
    // And read back as stored, not only as answered.
    let (_, after) = staff(&system, "GET", &path, "liaison-support", None).await;
    assert_eq!(influence(&after), influence(&blogger));
}

#[tokio::test]
async fn a_journalists_incident_should_reach_the_press_queue_and_never_open_a_case() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let email = "ines.presse@example.fr";
    let hello = comment("j1", "Merci, livraison rapide et produit superbe !", email);
    let first = deliver_contribution(&system, &source, "w1", hello).await;
    let record = recorded(&system, &first).await.expect("recorded");
    let path = format!("/admin/contacts/{}", record["contact_id"].as_str().unwrap());
    let (status, _) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(json!({"type": "journalist"})),
    )
    .await;
    assert_eq!(status, 200);

    let text = "Ma commande est arrivée cassée, le verre est brisé. Je veux un remboursement.";
    let incident = deliver_contribution(&system, &source, "w2", comment("j2", text, email)).await;
    let record = recorded(&system, &incident).await.expect("recorded");
    assert_eq!(record["classification"]["label"], "incident", "{record}");
    let mut press = Vec::new();
    for _ in 0..100 {
        let (_, body) = staff(
            &system,
            "GET",
            "/admin/questions?owner=press",
            "liaison-marketer",
            None,
        )
        .await;
        press = body["questions"].as_array().cloned().unwrap_or_default();
        if !press.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(press.len(), 1, "the press owner's queue");
    let item = &press[0];
    assert_eq!(
        (item["owner"].as_str(), item["priority"].as_str()),
        (Some("press"), Some("P2"))
    );
    assert_eq!(item["contact_type"], "journalist");
    assert_eq!(item["label"], "incident");
    let opened: chrono::DateTime<chrono::Utc> =
        item["opened_at"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> = item["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due - opened,
        chrono::Duration::hours(4),
        "press has its SLA"
    );

    // Never a customer-service case in their name, nor a support question.
    let (_, cases) = staff(&system, "GET", "/admin/cases", "liaison-support", None).await;
    assert_eq!(cases["cases"], json!([]), "{cases}");
    let path = "/admin/questions?owner=support";
    let (_, support) = staff(&system, "GET", path, "liaison-support", None).await;
    assert_eq!(support["questions"], json!([]), "{support}");
}
