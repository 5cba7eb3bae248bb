//! Learning from staff (issue 19): corrections through the admin API become examples the
//! brand's word model learns from, for that brand only; moderation decisions and closes with
//! a label are corrections too; the report measures the classifier on them; an erased
//! author's examples are gone from the model and the report.

use e2e::{case_id_of, create_source, deliver_contribution, recorded, staff, TestSource};
use liaison_local::harness::TestSystem;
use serde_json::{json, Value};

/// A brand whose staff treat smart-home compatibility questions as pre-sales: what the
/// built-in classifier calls questions, ten relabelled, and the eleventh, never corrected.
const COMPATIBILITY_QUESTIONS: [&str; 10] = [
    "Does the Lumo lamp work with a Hue bridge?",
    "Is the Lumo desk lamp compatible with Alexa?",
    "Can the Lumo lamp be paired with Google Home?",
    "Does the Lumo floor lamp work with HomeKit?",
    "Will the Lumo lamp connect to my SmartThings hub?",
    "Is the Lumo bulb compatible with Zigbee?",
    "Can I control the Lumo lamp with the Hue app?",
    "Does the Lumo pendant work with Alexa routines?",
    "Is the Lumo lamp compatible with a Nest hub?",
    "Can the Lumo lamp be dimmed from HomeKit?",
];
const UNSEEN: &str = "Does the Lumo reading lamp work with Google Assistant?";

/// A brand whose identify reads its corrections afresh for every message (one Query a
/// message: fine for a test, and the default reads them once a minute).
async fn brand() -> (TestSystem, TestSource) {
    let system = e2e::system_reading_settings_afresh().await;
    let source = create_source(&system, "blog").await;
    (system, source)
}

async fn contribute(system: &TestSystem, source: &TestSource, n: usize, text: &str) -> Value {
    let id = deliver_contribution(
        system,
        source,
        &format!("msg_learn_{n}"),
        json!({"id": format!("c{n}"), "kind": "comment", "text": text,
               "created_at": "2026-12-07T10:00:00Z",
               "author": {"name": "Reader", "email": format!("reader{n}@example.org")}}),
    )
    .await;
    recorded(system, &id).await.expect("recorded")
}

fn label(record: &Value) -> (&str, &str) {
    (
        record["classification"]["label"]
            .as_str()
            .unwrap_or_default(),
        record["classification"]["source"]
            .as_str()
            .unwrap_or_default(),
    )
}

async fn report(system: &TestSystem) -> Value {
    let (status, report) = staff(
        system,
        "GET",
        "/admin/reports/corrections",
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    report
}

#[tokio::test]
async fn ten_corrections_should_teach_one_brand_and_not_another() {
    let (taught, taught_source) = brand().await;
    let (other, other_source) = brand().await;

    // Ten contributions heard, then ten corrections, then the eleventh.
    let mut heard = Vec::new();
    for (n, text) in COMPATIBILITY_QUESTIONS.iter().enumerate() {
        heard.push(contribute(&taught, &taught_source, n, text).await);
    }
    for (record, text) in heard.iter().zip(COMPATIBILITY_QUESTIONS) {
        let id = record["id"].as_str().unwrap();
        let (status, body) = staff(
            &taught,
            "POST",
            &format!("/admin/contributions/{id}/label"),
            "liaison-sales",
            Some(json!({"label": "purchase_intent"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["correction"]["label"], "purchase_intent");
        assert_eq!(body["correction"]["how"], "relabel");
        assert_eq!(
            body["correction"]["was"], "question",
            "the built-in label: {text}"
        );
    }

    let learned = contribute(&taught, &taught_source, 10, UNSEEN).await;
    assert_eq!(label(&learned), ("purchase_intent", "learned"), "{learned}");
    assert!(
        learned["classification"]["cues"][0]
            .as_str()
            .unwrap()
            .starts_with("purchase_intent:learned:"),
        "the words that decided: {learned}"
    );
    let untaught = contribute(&other, &other_source, 10, UNSEEN).await;
    assert_eq!(label(&untaught), ("question", "builtin"), "{untaught}");

    // Routed as what it was learned to be: sales got an opportunity; the other brand, none.
    let opportunities = |system| {
        count(
            system,
            "/admin/opportunities",
            "liaison-sales",
            "opportunities",
        )
    };
    assert_eq!(opportunities(&taught).await, 1);
    assert_eq!(opportunities(&other).await, 0);

    let measured = report(&taught).await;
    assert_eq!(measured["learned_from"], 10);
    assert_eq!(measured["corrections"], 10);
    assert_eq!(measured["by_kind"]["relabel"], 10);
    let question = &measured["labels"][2];
    assert_eq!(question["label"], "question");
    assert_eq!(question["precision"], 0.0, "{question}");
    assert_eq!(
        measured["labels"][1]["recall"], 0.0,
        "staff's ten intents, none found"
    );
    assert_eq!(report(&other).await["learned_from"], 0);
}

async fn count(system: &TestSystem, path: &str, group: &str, key: &str) -> usize {
    let (status, listed) = staff(system, "GET", path, group, None).await;
    assert_eq!(status, 200, "{listed}");
    listed[key].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn decisions_and_closes_should_be_corrections_and_bad_labels_refused() {
    let (system, source) = brand().await;
    let record = contribute(
        &system,
        &source,
        1,
        "The lamp I ordered arrived broken, order 12345",
    )
    .await;
    let id = record["id"].as_str().unwrap().to_string();
    let relabel = format!("/admin/contributions/{id}/label");

    for (body, field) in [
        (json!({"label": "complaint"}), "label"),
        (json!({"label": "praise", "extra": 1}), ""),
    ] {
        let (status, answer) =
            staff(&system, "POST", &relabel, "liaison-support", Some(body)).await;
        assert_eq!(status, 400, "{answer}");
        if !field.is_empty() {
            assert_eq!(answer["error"]["field"], field, "{answer}");
        }
    }
    let (status, _) = staff(
        &system,
        "POST",
        "/admin/contributions/evt_none/label",
        "liaison-support",
        Some(json!({"label": "praise"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = staff(
        &system,
        "POST",
        &relabel,
        "liaison-marketer",
        Some(json!({"label": "praise"})),
    )
    .await;
    assert_eq!(status, 403, "marketers do not work the inbox's labels");
    assert!(
        recorded(&system, &id).await.unwrap()["correction"].is_null(),
        "nothing kept of a refusal"
    );

    // A case closed with a bad label stays open; with a good one, it says what it was.
    let case = format!("/admin/cases/{}", case_id_of(&system, &id).await);
    let (status, _) = staff(
        &system,
        "POST",
        &format!("{case}/close"),
        "liaison-support",
        Some(json!({"label": "nonsense"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, open) = staff(&system, "GET", &case, "liaison-support", None).await;
    assert_eq!((status, open["status"].as_str()), (200, Some("open")));
    let (status, closed) = staff(
        &system,
        "POST",
        &format!("{case}/close"),
        "liaison-support",
        Some(json!({"resolution": "a product question, not a defect", "label": "question"})),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    let corrected = recorded(&system, &id).await.unwrap();
    assert_eq!(corrected["correction"]["label"], "question");
    assert_eq!(corrected["correction"]["was"], "incident");
    assert_eq!(corrected["correction"]["how"], "case");

    // A person's relabel then stands over what a later decision implies.
    let (status, _) = staff(
        &system,
        "POST",
        &relabel,
        "liaison-sales",
        Some(json!({"label": "other"})),
    )
    .await;
    assert_eq!(status, 200);
    let measured = report(&system).await;
    assert_eq!(
        measured["learned_from"], 1,
        "one correction per contribution: the newest"
    );
    assert_eq!(measured["by_kind"]["relabel"], 1);
    assert_eq!(measured["weeks"].as_array().unwrap().len(), 1);

    // A held comment a person marks as spam is a spam example.
    let held = deliver_contribution(
        &system,
        &source,
        "msg_learn_held",
        json!({"id": "c-held", "kind": "comment", "moderation": "pending",
               "text": "Nice lamp. Visit my shop for cheap watches",
               "created_at": "2026-12-07T10:00:00Z",
               "author": {"name": "Someone", "email": "someone@example.org"}}),
    )
    .await;
    let was = recorded(&system, &held).await.unwrap();
    let (status, decided) = staff(
        &system,
        "PUT",
        &format!("/admin/moderation/{held}"),
        "liaison-support",
        Some(json!({"decision": "spam"})),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    let spam = recorded(&system, &held).await.unwrap();
    assert_eq!(spam["correction"]["label"], "spam");
    assert_eq!(spam["correction"]["how"], "moderation");
    assert_eq!(spam["correction"]["was"], was["classification"]["label"]);
    assert_eq!(report(&system).await["learned_from"], 2);
    let (status, _) = staff(
        &system,
        "PUT",
        &format!("/admin/moderation/{held}"),
        "liaison-support",
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 200);
    let approved = recorded(&system, &held).await.unwrap();
    assert_ne!(
        approved["correction"]["label"], "spam",
        "approved: not spam"
    );

    // The author's erasure takes their examples with them.
    let contact = corrected["contact_id"].as_str().unwrap();
    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{contact}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        report(&system).await["learned_from"],
        1,
        "the held comment's author stays"
    );
}
