//! The brand's programmes: marketing lists its partners' domains and its testers; a
//! contribution from a partner's address gets `partner` proposed with its reason, staff
//! confirm it and the influence is recomputed in the same request; a tester's proposal is
//! dismissed and never comes back; a blogger's praise reaches the community manager's
//! questions queue with their audience.

use std::time::Duration;

use e2e::{create_source, deliver_contribution, recorded, staff};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};

fn comment(id: &str, text: &str, author: Value) -> Value {
    json!({"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
           "author": author})
}

/// The contact `event_id`'s contribution was tied to, as staff see them once their scores
/// are written (the contribution is recorded a moment before its author's scores: under a
/// loaded CI machine the first read could see the profile without its influence).
async fn contact_of(system: &TestSystem, event_id: &str) -> (String, Value) {
    let record = recorded(system, event_id).await.expect("recorded");
    let id = record["contact_id"]
        .as_str()
        .expect("a contact")
        .to_string();
    let path = format!("/admin/contacts/{id}");
    let mut person = Value::Null;
    for _ in 0..100 {
        let (status, read) = staff(system, "GET", &path, "liaison-support", None).await;
        assert_eq!(status, 200, "{read}");
        person = read;
        if person["profile"]["influence"].is_number() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (path, person)
}

#[tokio::test]
async fn a_partners_address_should_propose_partner_and_staff_confirm_it_with_its_influence() {
    let system = harness::system().await;
    // Programmes are marketing's; customer service reads nothing of them.
    let lists = json!({
        "partner_domains": ["Acme-Distrib.fr"],
        "testers": ["Tina.Tester@example.org"],
    });
    let (status, saved) = staff(
        &system,
        "PUT",
        "/admin/programmes",
        "liaison-marketer",
        Some(lists),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["partner_domains"], json!(["acme-distrib.fr"]));
    let testers = saved["testers"].as_array().unwrap();
    assert_eq!(testers.len(), 1);
    assert!(
        !saved.to_string().to_lowercase().contains("tina"),
        "a tester is kept as a keyed hash: {saved}"
    );
    let (status, _) = staff(&system, "GET", "/admin/programmes", "liaison-support", None).await;
    assert_eq!(status, 403);
    for bad in [
        json!({"partner_domains": ["https://acme-distrib.fr"]}),
        json!({"media_domains": ["lemonde.fr/economie"]}),
        json!({"testers": ["not an address"]}),
        json!({"partners": ["acme-distrib.fr"]}),
    ] {
        let (status, body) = staff(
            &system,
            "PUT",
            "/admin/programmes",
            "liaison-admin",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    let (_, kept) = staff(&system, "GET", "/admin/programmes", "liaison-admin", None).await;
    assert_eq!(
        kept["partner_domains"],
        json!(["acme-distrib.fr"]),
        "a refusal stores nothing"
    );

    let source = create_source(&system, "blog").await;
    let jean = json!({"name": "Jean", "email": "jean@acme-distrib.fr", "followers": 50000});
    let text = "Nous avons reçu la nouvelle gamme, les clients adorent.";
    let event =
        deliver_contribution(&system, &source, "p1", comment("p1", text, jean.clone())).await;
    let (path, before) = contact_of(&system, &event).await;
    let proposed = &before["profile"]["proposed_type"];
    assert_eq!(proposed["type"], "partner", "{before}");
    assert_eq!(
        proposed["reason"],
        "email domain acme-distrib.fr is a partner domain"
    );
    assert_eq!(before["profile"]["type"], "prospect");

    // Confirmed: the type is set, the proposal settled, the influence weighs the type at once.
    let influence = |person: &Value| person["profile"]["influence"].as_f64().unwrap();
    let (status, confirmed) = staff(
        &system,
        "PATCH",
        &path,
        "liaison-sales",
        Some(json!({"type": "partner"})),
    )
    .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["profile"]["type"], "partner");
    assert!(
        confirmed["profile"].get("proposed_type").is_none(),
        "{confirmed}"
    );
    assert!(
        influence(&confirmed) > influence(&before),
        "a partner's reach weighs more: {before} {confirmed}"
    );
    // Nothing is proposed over a type staff set, whatever the next contribution says.
    let mut editor = jean.clone();
    editor["name"] = json!("Jean, rédaction");
    let again =
        deliver_contribution(&system, &source, "p2", comment("p2", "Bonjour !", editor)).await;
    let (_, after) = contact_of(&system, &again).await;
    assert_eq!(after["profile"]["type"], "partner");
    assert!(after["profile"].get("proposed_type").is_none(), "{after}");

    // A tester, proposed from the list; dismissed, and never proposed again.
    let tina = json!({"name": "Tina", "email": "tina.tester@example.org"});
    let first = deliver_contribution(
        &system,
        &source,
        "t1",
        comment("t1", "Reçu le prototype.", tina.clone()),
    )
    .await;
    let (tester, person) = contact_of(&system, &first).await;
    assert_eq!(
        person["profile"]["proposed_type"]["type"], "tester",
        "{person}"
    );
    assert_eq!(
        person["profile"]["proposed_type"]["reason"],
        "on the tester list"
    );
    let dismiss = format!("{tester}/proposed-type");
    let (status, dismissed) = staff(&system, "DELETE", &dismiss, "liaison-support", None).await;
    assert_eq!(status, 200, "{dismissed}");
    assert!(dismissed["profile"].get("proposed_type").is_none());
    assert_eq!(dismissed["profile"]["dismissed_types"], json!(["tester"]));
    let (status, body) = staff(&system, "DELETE", &dismiss, "liaison-support", None).await;
    assert_eq!(status, 404, "nothing left to dismiss: {body}");
    assert_eq!(body["error"]["code"], "not_found");
    let second =
        deliver_contribution(&system, &source, "t2", comment("t2", "Toujours ok.", tina)).await;
    let (_, person) = contact_of(&system, &second).await;
    assert!(person["profile"].get("proposed_type").is_none(), "{person}");
    // A type that does not exist is refused.
    let (status, body) = staff(
        &system,
        "PATCH",
        &tester,
        "liaison-support",
        Some(json!({"type": "reseller"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = staff(
        &system,
        "DELETE",
        "/admin/contacts/ct_nobody/proposed-type",
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 404);

    // An erased tester leaves the tester list with everything else of theirs.
    let (status, _) = staff(&system, "DELETE", &tester, "liaison-admin", None).await;
    assert_eq!(status, 204);
    let (_, after) = staff(&system, "GET", "/admin/programmes", "liaison-admin", None).await;
    assert_eq!(after["testers"], json!([]), "{after}");
    assert_eq!(after["partner_domains"], json!(["acme-distrib.fr"]));
}

#[tokio::test]
async fn a_bloggers_praise_should_reach_the_community_manager_with_their_audience() {
    let system = harness::system().await;
    // The label decided by a brand rule: this journey is about who answers, not the classifier.
    let rule = json!({"name": "Coups de coeur", "when": {"keywords": ["coup de coeur"]},
                      "then": {"label": "praise"}});
    let (status, body) = staff(&system, "POST", "/admin/rules", "liaison-admin", Some(rule)).await;
    assert_eq!(status, 201, "{body}");
    let source = create_source(&system, "blog").await;
    let blogger = json!({"name": "Lumière & Co", "email": "lea@example.fr",
                         "url": "https://lumiere.substack.com", "followers": 12000});
    let text = "Coup de coeur pour la lampe Aube, je l'ai présentée à mes lecteurs.";
    let event = deliver_contribution(&system, &source, "b1", comment("b1", text, blogger)).await;
    let record = recorded(&system, &event).await.expect("recorded");
    assert_eq!(record["classification"]["label"], "praise", "{record}");

    let mut questions = Vec::new();
    for _ in 0..100 {
        let path = "/admin/questions?owner=marketing";
        let (status, body) = staff(&system, "GET", path, "liaison-marketer", None).await;
        assert_eq!(status, 200, "{body}");
        questions = body["questions"].as_array().cloned().unwrap_or_default();
        if !questions.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(questions.len(), 1, "the community manager's queue");
    let id = questions[0]["id"].as_str().unwrap();
    let (status, item) = staff(
        &system,
        "GET",
        &format!("/admin/questions/{id}"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(
        (item["owner"].as_str(), item["label"].as_str()),
        (Some("marketing"), Some("praise"))
    );
    let audience = &item["audience"];
    assert!(audience["reach"].as_f64().unwrap() > 0.0, "{item}");
    assert_eq!(
        audience["basis"], "standard-webhooks followers 12000",
        "{item}"
    );
    // Proposed as a blogger, and praise opens no case.
    let (_, person) = contact_of(&system, &event).await;
    assert_eq!(
        person["profile"]["proposed_type"]["type"], "blogger",
        "{person}"
    );
    assert_eq!(
        person["profile"]["proposed_type"]["reason"],
        "author URL lumiere.substack.com is a blog"
    );
    let (_, cases) = staff(&system, "GET", "/admin/cases", "liaison-support", None).await;
    assert_eq!(cases["cases"], json!([]), "{cases}");
}
