//! Brand rules through the admin API, applied by identify before the built-in classifier:
//! a keyword rule labels, tags and prioritises; a pattern rule routes without labelling;
//! a disabled rule no longer applies; bad rules are refused with the field named.

use e2e::{create_source, deliver_contribution, recorded, staff};
use liaison_local::harness;
use serde_json::{json, Value};

fn comment(id: &str, text: &str) -> Value {
    json!({"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
           "author": {"name": "Lecteur", "email": format!("{id}@example.org")}})
}

/// The case identify opened for `event_id`, once its alert went.
async fn case_of(system: &harness::TestSystem, event_id: &str) -> Value {
    let path = format!("/admin/cases/{}", e2e::case_id_of(system, event_id).await);
    for _ in 0..100 {
        let (status, case) = staff(system, "GET", &path, "liaison-support", None).await;
        if status == 200 {
            return case;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no case for {event_id}");
}

#[tokio::test]
async fn brand_rules_should_label_tag_prioritise_and_route_before_the_classifier() {
    let system = e2e::system_reading_settings_afresh().await;
    let source = create_source(&system, "blog").await;

    let lids = json!({"name": "Broken lids", "order": 1,
        "when": {"keywords": ["couvercle"]},
        "then": {"label": "incident", "tag": "lids", "priority": "P1"}});
    let (status, _) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-marketer",
        Some(lids.clone()),
    )
    .await;
    assert_eq!(status, 403, "marketers do not configure routing");
    let bad = json!({"name": "x", "when": {"pattern": "(unclosed"}, "then": {"tag": "t"}});
    let (status, body) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-support",
        Some(bad),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("when.pattern")),
        "{body}"
    );
    let (status, lids_rule) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-support",
        Some(lids.clone()),
    )
    .await;
    assert_eq!(status, 201, "{lids_rule}");
    let lids_id = lids_rule["id"].as_str().unwrap().to_string();
    let press = json!({"name": "Press", "order": 5,
        "when": {"pattern": r"\bjournaliste\b", "platforms": ["standard-webhooks"]},
        "then": {"route": "case", "tag": "press"}});
    let (status, press_rule) = staff(
        &system,
        "POST",
        "/admin/rules",
        "liaison-admin",
        Some(press),
    )
    .await;
    assert_eq!(status, 201);
    let (_, listed) = staff(&system, "GET", "/admin/rules", "liaison-support", None).await;
    let order: Vec<&str> = listed["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Broken lids", "Press"]);

    // A keyword rule decides the label (certain, and says which rule), the tag and the priority.
    let lid = deliver_contribution(
        &system,
        &source,
        "w1",
        comment("c1", "Le Couvercle ferme mal depuis le premier jour"),
    )
    .await;
    let record = recorded(&system, &lid).await.expect("recorded");
    assert_eq!(record["classification"]["label"], "incident", "{record}");
    assert_eq!(
        record["classification"]["cues"],
        json!([format!("rule:{lids_id}")])
    );
    assert_eq!(record["tags"], json!(["lids"]));
    let case = case_of(&system, &lid).await;
    assert_eq!(
        (case["priority"].as_str(), case["tags"].clone()),
        (Some("P1"), json!(["lids"]))
    );

    // A route-only rule: praise stays praise, and still goes to customer service.
    let journalist = deliver_contribution(
        &system,
        &source,
        "w2",
        comment(
            "c2",
            "Je suis journaliste et j'adore votre marque, bravo à toute l'équipe !",
        ),
    )
    .await;
    let record = recorded(&system, &journalist).await.expect("recorded");
    assert_ne!(record["classification"]["label"], "incident", "{record}");
    assert!(!record["classification"]["cues"]
        .to_string()
        .contains("rule:"));
    assert_eq!(record["rules"], json!([press_rule["id"]]));
    assert_eq!(
        case_of(&system, &journalist).await["tags"],
        json!(["press"])
    );
    // The rules' tags are counted: the report by tag has one of each.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (status, by_tag) = staff(
        &system,
        "GET",
        &format!("/admin/reports/contributions?by=tag&from={today}&to={today}"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{by_tag}");
    let groups = by_tag["groups"].as_array().unwrap();
    for tag in ["lids", "press"] {
        assert!(
            groups.contains(&json!({"key": tag, "count": 1})),
            "{by_tag}"
        );
    }

    // Disabled: the classifier decides again.
    let mut off = lids.clone();
    off["enabled"] = json!(false);
    let (status, _) = staff(
        &system,
        "PUT",
        &format!("/admin/rules/{lids_id}"),
        "liaison-support",
        Some(off),
    )
    .await;
    assert_eq!(status, 200);
    let later = deliver_contribution(
        &system,
        &source,
        "w3",
        comment("c3", "Le couvercle est d'une jolie couleur"),
    )
    .await;
    let record = recorded(&system, &later).await.expect("recorded");
    assert!(record.get("tags").is_none(), "{record}");
    assert!(!record["classification"]["cues"]
        .to_string()
        .contains("rule:"));

    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/rules/{lids_id}"),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = staff(
        &system,
        "GET",
        &format!("/admin/rules/{lids_id}"),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = staff(
        &system,
        "PUT",
        &format!("/admin/rules/{lids_id}"),
        "liaison-support",
        Some(lids),
    )
    .await;
    assert_eq!(status, 404, "a deleted rule is not recreated by a replace");
}
