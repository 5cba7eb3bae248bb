//! Customer service and sales work what identify opened: list in SLA order, assign, add
//! private notes, close, through the admin API with their own groups.

use std::time::Duration;

use e2e::{create_source, deliver, staff};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};

fn comment(id: &str, text: &str) -> Vec<u8> {
    json!({
        "type": "contribution.created",
        "data": {"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
                 "author": {"name": "Client", "email": format!("{id}@example.com")}}
    })
    .to_string()
    .into_bytes()
}

async fn listed(system: &TestSystem, path: &str, group: &str, key: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let (_, body) = staff(system, "GET", path, group, None).await;
        let items = body[key].as_array().cloned().unwrap_or_default();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn support_should_assign_annotate_and_close_a_case_and_sales_see_opportunities() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    deliver(
        &system,
        &source,
        "m1",
        &comment(
            "c1",
            "My parcel never arrived and nobody answers, this is unacceptable",
        ),
    )
    .await;
    deliver(
        &system,
        &source,
        "m2",
        &comment("c2", "Do you ship to Canada? I want to order two lamps"),
    )
    .await;

    let cases = listed(&system, "/admin/cases", "liaison-support", "cases", 1).await;
    assert_eq!(cases.len(), 1, "one open case");
    let id = cases[0]["id"].as_str().unwrap().to_string();
    assert_eq!(cases[0]["status"], "open");
    assert!(cases[0]["due_at"].is_string());

    let path = |suffix: &str| format!("/admin/cases/{id}{suffix}");
    let (status, assigned) = staff(
        &system,
        "POST",
        &path("/assign"),
        "liaison-support",
        Some(json!({"assignee": "agent-7"})),
    )
    .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(assigned["assignee"], "agent-7");
    let (status, noted) = staff(
        &system,
        "POST",
        &path("/notes"),
        "liaison-support",
        Some(json!({"text": "Called the carrier."})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(noted["notes"][0]["text"], "Called the carrier.");
    assert_eq!(noted["notes"][0]["author"], "test-user");
    // Notes live inside the case's item (400 KB at most): twenty, then a 409 that says why.
    for n in 1..20 {
        let (status, _) = staff(
            &system,
            "POST",
            &path("/notes"),
            "liaison-support",
            Some(json!({"text": format!("Note {n}")})),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, full) = staff(
        &system,
        "POST",
        &path("/notes"),
        "liaison-support",
        Some(json!({"text": "One too many"})),
    )
    .await;
    assert_eq!(status, 409, "{full}");
    assert!(full["error"]["message"]
        .as_str()
        .unwrap()
        .contains("20 notes"));
    let (status, closed) = staff(
        &system,
        "POST",
        &path("/close"),
        "liaison-support",
        Some(json!({"resolution": "Reshipped"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(closed["status"], "closed");
    // Closing twice is a conflict; an unknown case is 404; a bad body is 400 naming the field.
    assert_eq!(
        staff(&system, "POST", &path("/close"), "liaison-support", None)
            .await
            .0,
        409
    );
    assert_eq!(
        staff(
            &system,
            "POST",
            "/admin/cases/case_nope/close",
            "liaison-support",
            None
        )
        .await
        .0,
        404
    );
    let (status, err) = staff(
        &system,
        "POST",
        &path("/assign"),
        "liaison-support",
        Some(json!({"who": 1})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["field"], "assignee");
    assert!(
        listed(&system, "/admin/cases", "liaison-support", "cases", 0)
            .await
            .is_empty()
    );
    assert_eq!(
        listed(
            &system,
            "/admin/cases?status=closed",
            "liaison-support",
            "cases",
            1
        )
        .await
        .len(),
        1
    );

    // Sales see opportunities; marketers see neither.
    let opportunities = listed(
        &system,
        "/admin/opportunities",
        "liaison-sales",
        "opportunities",
        1,
    )
    .await;
    assert_eq!(opportunities.len(), 1);
    assert_eq!(
        staff(&system, "GET", "/admin/cases", "liaison-marketer", None)
            .await
            .0,
        403
    );
    assert_eq!(
        staff(
            &system,
            "GET",
            "/admin/opportunities",
            "liaison-support",
            None
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn open_cases_should_page_in_sla_order() {
    let system = harness::system().await;
    let source = create_source(&system, "forum").await;
    for n in 0..3 {
        let text = format!("Commande {n} arrivée cassée, le produit est inutilisable");
        deliver(
            &system,
            &source,
            &format!("p{n}"),
            &comment(&format!("pc{n}"), &text),
        )
        .await;
    }
    let all = listed(&system, "/admin/cases", "liaison-support", "cases", 3).await;
    assert_eq!(all.len(), 3);
    let (_, first) = staff(
        &system,
        "GET",
        "/admin/cases?limit=2",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(first["cases"].as_array().unwrap().len(), 2);
    let next = first["next"].as_str().expect("a next page");
    let (_, second) = staff(
        &system,
        "GET",
        &format!("/admin/cases?limit=2&after={next}"),
        "liaison-support",
        None,
    )
    .await;
    let rest = second["cases"].as_array().unwrap();
    assert_eq!(rest.len(), 1);
    let due: Vec<&str> = first["cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest)
        .map(|c| c["due_at"].as_str().unwrap())
        .collect();
    assert!(
        due.windows(2).all(|w| w[0] <= w[1]),
        "soonest due first: {due:?}"
    );
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/cases?after=eyJpZCI6IngifQ",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 400, "a forged cursor");
}

#[tokio::test]
async fn sales_should_value_an_opportunity_and_win_it_into_the_revenue_report() {
    let system = harness::system().await;
    let source = create_source(&system, "shop").await;
    deliver(
        &system,
        &source,
        "v1",
        &comment("v1", "Do you ship to Canada? I want to order two lamps"),
    )
    .await;
    let listed = listed(
        &system,
        "/admin/opportunities",
        "liaison-sales",
        "opportunities",
        1,
    )
    .await;
    let id = listed[0]["id"].as_str().unwrap().to_string();
    let path = format!("/admin/opportunities/{id}");

    // Bad values are refused with the reason; support may not value it.
    for (body, field) in [
        (json!({"amount": "12,50", "currency": "EUR"}), "amount"),
        (json!({"amount": "-3", "currency": "EUR"}), "amount"),
        (json!({"amount": "10", "currency": "euro"}), "currency"),
        (json!({"amount": "10"}), "currency"),
        (json!({}), "stage"),
    ] {
        let (status, refused) = staff(&system, "PATCH", &path, "liaison-sales", Some(body)).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["error"]["field"], field, "{refused}");
    }
    let body = json!({"amount": "480", "currency": "cad"});
    let (status, _) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-support",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, valued) = staff(&system, "PATCH", &path, "liaison-sales", Some(body)).await;
    assert_eq!(status, 200, "{valued}");
    assert_eq!(
        (&valued["amount"], &valued["currency"]),
        (&json!("480"), &json!("CAD"))
    );
    let (status, staged) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-sales",
        Some(json!({"stage": "quote sent"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(staged["stage"], "quote sent");

    let close = format!("{path}/close");
    let (status, refused) = staff(
        &system,
        "POST",
        &close,
        "liaison-sales",
        Some(json!({"outcome": "maybe"})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let (status, won) = staff(
        &system,
        "POST",
        &close,
        "liaison-sales",
        Some(json!({"outcome": "won", "resolution": "two lamps, shipped"})),
    )
    .await;
    assert_eq!(status, 200, "{won}");
    assert_eq!(won["outcome"], "won");

    let today = chrono::Utc::now().date_naive();
    let (status, report) = staff(
        &system,
        "GET",
        &format!("/admin/reports/revenue?from={today}&to={today}"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["opportunities"]["won"], 1);
    assert_eq!(report["opportunities"]["revenue"], json!({"CAD": "480"}));
    // The cost side: answers published, and customer service's times on the range's cases.
    assert_eq!(report["cost"]["answers_published"], 0, "{report}");
    assert!(report["cost"]["cases"].is_object(), "{report}");
    assert!(report["relaunch"]["emails_sent"].is_string(), "{report}");
    let (status, _) = staff(
        &system,
        "GET",
        "/admin/reports/revenue?from=2026-12-07&to=2024-01-01",
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

/// The ids of the open cases `query` keeps, every page read.
async fn filtered(system: &TestSystem, query: &str) -> Vec<String> {
    let (status, body) = staff(
        system,
        "GET",
        &format!("/admin/cases?{query}"),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 200, "{query}: {body}");
    let mut ids: Vec<String> = body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_inbox_should_filter_cases_by_source_platform_label_tag_and_assignee() {
    let system = harness::system().await;
    let (shop, forum) = (
        create_source(&system, "shop").await,
        create_source(&system, "forum").await,
    );
    let lids = json!({"name": "Lids", "order": 1, "when": {"keywords": ["couvercle"]},
        "then": {"label": "incident", "tag": "lids"}});
    let (status, _) = staff(&system, "POST", "/admin/rules", "liaison-admin", Some(lids)).await;
    assert_eq!(status, 201);
    for (source, n, text) in [
        (
            &shop,
            1,
            "Commande arrivée cassée, le produit est inutilisable",
        ),
        (
            &shop,
            2,
            "Le couvercle est fendu à la livraison, remboursez-moi",
        ),
        (
            &forum,
            3,
            "Colis jamais arrivé, le service client ne répond pas",
        ),
    ] {
        let text = text.to_string();
        deliver(
            &system,
            source,
            &format!("f{n}"),
            &comment(&format!("fc{n}"), &text),
        )
        .await;
    }
    let all = listed(&system, "/admin/cases", "liaison-support", "cases", 3).await;
    assert_eq!(all.len(), 3);
    let id_of = |text: &str| {
        all.iter()
            .find(|c| c["text"].as_str().unwrap().contains(text))
            .map(|c| c["id"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (broken, lid, lost) = (id_of("cassée"), id_of("couvercle"), id_of("Colis"));
    assert_eq!(all[0]["label"], "incident", "the label is kept on the case");

    let mut from_shop = vec![broken.clone(), lid.clone()];
    from_shop.sort();
    assert_eq!(
        filtered(&system, &format!("source={}", shop.id)).await,
        from_shop
    );
    assert_eq!(
        filtered(&system, &format!("source={}", forum.id)).await,
        [lost.as_str()]
    );
    assert_eq!(
        filtered(&system, "platform=standard-webhooks").await.len(),
        3
    );
    assert!(filtered(&system, "platform=discourse").await.is_empty());
    assert_eq!(filtered(&system, "label=incident").await.len(), 3);
    assert!(filtered(&system, "label=praise").await.is_empty());
    assert_eq!(filtered(&system, "tag=lids").await, [lid.as_str()]);

    let (status, _) = staff(
        &system,
        "POST",
        &format!("/admin/cases/{lost}/assign"),
        "liaison-support",
        Some(json!({"assignee": "agent-7"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(filtered(&system, "assignee=agent-7").await, [lost.as_str()]);
    assert_eq!(filtered(&system, "assignee=none").await, from_shop);
    assert_eq!(
        filtered(
            &system,
            &format!("source={}&assignee=none&tag=lids", shop.id)
        )
        .await,
        [lid.as_str()],
        "filters combine"
    );

    // A filtered page is filled from further reads: one case per page, then the next.
    let (_, first) = staff(
        &system,
        "GET",
        &format!("/admin/cases?source={}&limit=1", shop.id),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(first["cases"].as_array().unwrap().len(), 1);
    let next = first["next"].as_str().expect("a next page");
    let (_, second) = staff(
        &system,
        "GET",
        &format!("/admin/cases?source={}&limit=1&after={next}", shop.id),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(second["cases"].as_array().unwrap().len(), 1);
    assert_ne!(first["cases"][0]["id"], second["cases"][0]["id"]);

    for (query, field) in [
        ("platform=myspace", "platform"),
        ("label=rant", "label"),
        ("owner=support", "owner"),
    ] {
        let (status, body) = staff(
            &system,
            "GET",
            &format!("/admin/cases?{query}"),
            "liaison-support",
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
}
