//! Staff find a person and see them whole; an administrator exports everything held about
//! them and erases them: afterwards no table holds an item about them, only a keyed hash on
//! the suppression list.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{create_source, deliver, staff};
use liaison_local::harness::{self, TestSystem};
use serde_json::{json, Value};

async fn get(system: &TestSystem, path: &str, group: &str) -> (u16, Value) {
    staff(system, "GET", path, group, None).await
}

fn comment(id: &str, text: &str, email: &str) -> Vec<u8> {
    json!({
        "type": "contribution.created",
        "data": {"id": id, "kind": "comment", "text": text, "created_at": "2026-11-23T10:00:00Z",
                 "author": {"name": "Dominique Erasable", "email": email}}
    })
    .to_string()
    .into_bytes()
}

/// Every item of every table the template declares, as text.
async fn everything(system: &TestSystem) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for table in &system.resources.template.tables {
        let name = system.resources.table(&table.logical_id);
        let out = system
            .resources
            .clients
            .dynamodb
            .scan()
            .table_name(&name)
            .send()
            .await
            .unwrap();
        for item in out.items.unwrap_or_default() {
            all.push((table.logical_id.clone(), format!("{item:?}")));
        }
    }
    all
}

#[tokio::test]
async fn a_person_should_be_found_exported_and_erased_everywhere() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let email = "dominique.erasable@example.com";
    deliver(
        &system,
        &source,
        "e1",
        &comment(
            "c1",
            "Le colis n'est jamais arrivé, 3 semaines et toujours rien",
            email,
        ),
    )
    .await;
    deliver(
        &system,
        &source,
        "e2",
        &comment("c2", "Vous livrez en Suisse ? Je voudrais commander", email),
    )
    .await;

    // Found by email once identify has processed both comments.
    let mut person = Value::Null;
    for _ in 0..100 {
        let (status, body) = get(
            &system,
            &format!("/admin/contacts?email={}", "Dominique.Erasable@Example.com"),
            "liaison-support",
        )
        .await;
        if status == 200 && body["id"].is_string() {
            let (_, shown) = get(
                &system,
                &format!("/admin/contacts/{}", body["id"].as_str().unwrap()),
                "liaison-support",
            )
            .await;
            if shown["timeline"].as_array().is_some_and(|t| t.len() >= 5) {
                person = shown;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last = get(
        &system,
        &format!("/admin/contacts?email={email}"),
        "liaison-support",
    )
    .await;
    let id = person["id"]
        .as_str()
        .unwrap_or_else(|| panic!("not found whole: {last:?}"))
        .to_string();
    assert_eq!(person["identities"][0]["value"], email);
    // Two contributions, a case, an opportunity and the verification email, newest first.
    let kinds: Vec<&str> = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["timeline_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert!(
        kinds.contains(&"cases") && kinds.contains(&"opportunities") && kinds.contains(&"emails")
    );

    // They asked to be called back from a relaunch email (as tracking records it).
    system
        .resources
        .clients
        .dynamodb
        .put_item()
        .table_name(system.resources.table("CallbacksTable"))
        .item("id", AttributeValue::S("cb_erasable".into()))
        .item("status", AttributeValue::S("open".into()))
        .item(
            "created_at",
            AttributeValue::S("2026-11-23T10:00:00Z".into()),
        )
        .item("contact_id", AttributeValue::S(id.clone()))
        .item("campaign_id", AttributeValue::S("cmp_x".into()))
        .send()
        .await
        .unwrap();

    // Customer service answered them by email: what the brand said is theirs too.
    let contribution = a_contribution(&person);
    let (status, answered) = staff(
        &system,
        "POST",
        &format!("/admin/contributions/{contribution}/answers"),
        "liaison-support",
        Some(json!({"channel": "email", "text": "Bonjour Dominique Erasable, votre colis repart demain."})),
    )
    .await;
    assert_eq!(status, 202, "{answered}");
    for _ in 0..100 {
        let (_, shown) = get(&system, &format!("/admin/contacts/{id}"), "liaison-support").await;
        let answers = shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["timeline_kind"] == "answers" && e["state"] == "published")
            .count();
        if answers == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Export is for administrators.
    assert_eq!(
        get(
            &system,
            &format!("/admin/contacts/{id}/export"),
            "liaison-support"
        )
        .await
        .0,
        403
    );
    let (status, export) = get(
        &system,
        &format!("/admin/contacts/{id}/export"),
        "liaison-admin",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(export["contributions"].as_array().unwrap().len(), 2);
    assert_eq!(export["cases"].as_array().unwrap().len(), 1);
    assert_eq!(export["emails"].as_array().unwrap().len(), 1);
    assert_eq!(export["callbacks"].as_array().unwrap().len(), 1, "{export}");
    assert_eq!(export["answers"].as_array().unwrap().len(), 1, "{export}");
    assert_eq!(export["answers"][0]["state"], "published", "{export}");

    let (status, _) = staff(
        &system,
        "DELETE",
        &format!("/admin/contacts/{id}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);

    // Nothing about them remains: no id, no email, no name, no text; only the suppression
    // hash, and the erasure's notice for the brand's endpoints (its id only). Events still
    // queued when the erasure came are forgotten by the deliveries function, soon after.
    let mut traces = Vec::new();
    for _ in 0..50 {
        traces.clear();
        for (table, item) in everything(&system).await {
            let notice = table == "DeliveriesTable" && item.contains("contact.erased");
            for trace in [id.as_str(), email, "Erasable", "jamais arriv"] {
                if item.contains(trace) && !(notice && trace == id) {
                    traces.push(format!("{table} still holds {trace}: {item}"));
                }
            }
        }
        if traces.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(traces.is_empty(), "{traces:#?}");
    assert_eq!(
        system
            .resources
            .published_events("contact.erased")
            .await
            .len(),
        1,
        "the endpoints are told"
    );
    assert_eq!(system.resources.count_items("SuppressionTable").await, 1);
    assert_eq!(
        get(&system, &format!("/admin/contacts/{id}"), "liaison-admin")
            .await
            .0,
        404
    );
    assert_eq!(
        get(
            &system,
            &format!("/admin/contacts?email={email}"),
            "liaison-admin"
        )
        .await
        .0,
        404
    );

    // Suppressed: a new comment with the same email makes a new prospect but sends no email.
    let before = system
        .resources
        .sent_emails()
        .await
        .iter()
        .filter(|m| m.to_string().contains(email))
        .count();
    deliver(
        &system,
        &source,
        "e3",
        &comment("c3", "Bonjour, une question sur l'entretien", email),
    )
    .await;
    // Recorded last, after any email it would have caused.
    for _ in 0..100 {
        if system.resources.count_items("ContributionsTable").await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(system.resources.count_items("ContributionsTable").await, 1);
    let after = system
        .resources
        .sent_emails()
        .await
        .iter()
        .filter(|m| m.to_string().contains(email))
        .count();
    assert_eq!(after, before, "no email to an erased person");
}

async fn post(system: &TestSystem, path: &str, body: Value) -> (u16, Value) {
    staff(system, "POST", path, "liaison-admin", Some(body)).await
}

async fn contact_of(system: &TestSystem, email: &str) -> Option<String> {
    let (status, body) = get(
        system,
        &format!("/admin/contacts?email={email}"),
        "liaison-admin",
    )
    .await;
    (status == 200).then(|| body["id"].as_str().unwrap().to_string())
}

/// The contacts two addresses name, once identify is done with both comments: a comment is
/// recorded after every other effect (its verification email included).
async fn both_contacts(system: &TestSystem, a_mail: &str, b_mail: &str) -> (String, String) {
    for _ in 0..100 {
        if system.resources.count_items("ContributionsTable").await >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (a, b) = (
        contact_of(system, a_mail).await,
        contact_of(system, b_mail).await,
    );
    (a.expect("a"), b.expect("b"))
}

/// The id of a contribution on a shown contact's timeline.
fn a_contribution(shown: &Value) -> String {
    shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["timeline_kind"] == "contributions")
        .and_then(|e| e["id"].as_str())
        .unwrap()
        .to_string()
}

async fn timeline_len(system: &TestSystem, id: &str) -> usize {
    get(system, &format!("/admin/contacts/{id}"), "liaison-admin")
        .await
        .1["timeline"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn a_merge_should_move_identities_and_timeline_and_its_undo_move_them_back() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let (a_mail, b_mail) = ("same.person@example.com", "same.person.work@example.org");
    deliver(
        &system,
        &source,
        "m1",
        &comment("c1", "Merci pour les conseils, très belle lampe !", a_mail),
    )
    .await;
    deliver(
        &system,
        &source,
        "m2",
        &comment("c2", "Thanks, lovely lamp, works great", b_mail),
    )
    .await;
    let (a, b) = both_contacts(&system, a_mail, b_mail).await;
    assert_ne!(a, b);
    // Praise makes its author an advocate (scores are counted once the contribution is).
    let mut shown = Value::Null;
    for _ in 0..50 {
        shown = get(&system, &format!("/admin/contacts/{a}"), "liaison-admin")
            .await
            .1;
        if shown.to_string().contains("advocate_since") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown.to_string().contains("\"praises\":1"), "{shown}");
    // Customer service answered b: the answer (keyed under its contribution) moves too.
    let (_, b_shown) = get(&system, &format!("/admin/contacts/{b}"), "liaison-admin").await;
    let b_comment = a_contribution(&b_shown);
    let (status, _) = post(
        &system,
        &format!("/admin/contributions/{b_comment}/answers"),
        json!({"channel": "email", "text": "Thank you, enjoy it!"}),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(timeline_len(&system, &b).await, 3);
    assert_eq!(
        post(
            &system,
            &format!("/admin/contacts/{a}/merge"),
            json!({"from": a})
        )
        .await
        .0,
        400
    );

    let (status, merged) = post(
        &system,
        &format!("/admin/contacts/{a}/merge"),
        json!({"from": b}),
    )
    .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(
        (
            merged["identities"].as_u64(),
            merged["timeline_items"].as_u64()
        ),
        (Some(1), Some(3)),
        "b's comment, its verification email and the answer to it"
    );
    assert_eq!(
        contact_of(&system, b_mail).await.as_deref(),
        Some(a.as_str())
    );
    assert_eq!(timeline_len(&system, &a).await, 5);
    assert_eq!(timeline_len(&system, &b).await, 0);
    assert_eq!(
        post(
            &system,
            &format!("/admin/contacts/{a}/merge"),
            json!({"from": b})
        )
        .await
        .0,
        409
    );

    let merge_id = merged["merge_id"].as_str().unwrap();
    let undo = format!("/admin/contacts/{a}/merges/{merge_id}/undo");
    assert_eq!(post(&system, &undo, json!({})).await.0, 200);
    assert_eq!(
        contact_of(&system, b_mail).await.as_deref(),
        Some(b.as_str())
    );
    assert_eq!(
        contact_of(&system, a_mail).await.as_deref(),
        Some(a.as_str())
    );
    assert_eq!(timeline_len(&system, &a).await, 2);
    assert_eq!(timeline_len(&system, &b).await, 3);
    assert_eq!(post(&system, &undo, json!({})).await.0, 404);
}

#[tokio::test]
async fn a_long_history_should_refuse_a_merge_whole_and_be_erased_over_several_calls() {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let (a_mail, b_mail) = ("long.history@example.com", "other.person@example.org");
    deliver(
        &system,
        &source,
        "l1",
        &comment("c1", "Merci pour la lampe", a_mail),
    )
    .await;
    deliver(
        &system,
        &source,
        "l2",
        &comment("c2", "Thanks, lovely", b_mail),
    )
    .await;
    let (a, b) = both_contacts(&system, a_mail, b_mail).await;
    // A thousand more contributions on a's timeline (as identify records them).
    let table = system.resources.table("ContributionsTable");
    for chunk in (0..1000).collect::<Vec<_>>().chunks(25) {
        let writes: Vec<WriteRequest> = chunk
            .iter()
            .map(|n| {
                let put = PutRequest::builder()
                    .item("id", AttributeValue::S(format!("evt_long_{n}")))
                    .item("contact_id", AttributeValue::S(a.clone()))
                    .item(
                        "received_at",
                        AttributeValue::S(format!(
                            "2026-11-23T10:{:02}:{:02}Z",
                            n / 60 % 60,
                            n % 60
                        )),
                    )
                    .build()
                    .unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        system
            .resources
            .clients
            .dynamodb
            .batch_write_item()
            .request_items(&table, writes)
            .send()
            .await
            .unwrap();
    }
    // Too many to move in one merge: refused before anything moved.
    let (status, refused) = post(
        &system,
        &format!("/admin/contacts/{b}/merge"),
        json!({"from": a}),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        contact_of(&system, a_mail).await.as_deref(),
        Some(a.as_str())
    );
    // Exported in parts: every contribution once, following the cursors.
    let (status, export) = get(
        &system,
        &format!("/admin/contacts/{a}/export"),
        "liaison-admin",
    )
    .await;
    assert_eq!(status, 200);
    let mut ids: Vec<String> = export["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut cursor = export["more"]["contributions"].as_str().map(str::to_string);
    while let Some(after) = cursor {
        let (status, part) = get(
            &system,
            &format!("/admin/contacts/{a}/export?kind=contributions&after={after}"),
            "liaison-admin",
        )
        .await;
        assert_eq!(status, 200, "{part}");
        ids.extend(
            part["contributions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        cursor = part["more"]["contributions"].as_str().map(str::to_string);
    }
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((total, ids.len()), (1001, 1001));
    // Erased over several calls, each saying whether more remains.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, _) = staff(
            &system,
            "DELETE",
            &format!("/admin/contacts/{a}"),
            "liaison-admin",
            None,
        )
        .await;
        statuses.push(status);
        if status == 204 {
            break;
        }
    }
    assert_eq!(statuses, [202, 202, 204]);
    for (table, item) in everything(&system).await {
        // Only the erasure's notice for the brand's endpoints names them.
        let notice = table == "DeliveriesTable" && item.contains("contact.erased");
        assert!(
            notice || !item.contains(a.as_str()),
            "{table} still holds {a}: {item}"
        );
    }
}
