//! The identify stage through the local runner: every contribution ingest queues is
//! classified and recorded once; a message it can never read goes to the dead-letter queue
//! without holding up the others.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{create_source, deliver, fixture, recorded, staff};
use liaison_local::harness;
use shared::contracts::events::{Event, Message};

#[tokio::test]
async fn a_queued_comment_should_be_classified_and_recorded_once() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let body = fixture("standard-webhooks/comment-created.json");
    let resp = deliver(&system, &source, "msg_incident", &body).await;
    assert_eq!(resp.status().as_u16(), 202);
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let record = recorded(&system, &id)
        .await
        .expect("classified within 10 s");
    // "ma commande est arrivée avec la théière fêlée": an incident, and the cues say why.
    assert_eq!(record["classification"]["label"], "incident", "{record}");
    assert!(record["classification"]["cues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "incident:fele"));
    assert_eq!(record["source_id"], source.id.as_str());
    // The typed email made a prospect; the same email again is the same contact.
    let contact = record["contact_id"]
        .as_str()
        .expect("a contact")
        .to_string();
    let again = String::from_utf8(body.clone())
        .unwrap()
        .replace("wp-comment-18842", "wp-comment-18843");
    let resp = deliver(&system, &source, "msg_second", again.as_bytes()).await;
    let second_id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = recorded(&system, &second_id).await.expect("classified");
    assert_eq!(second["contact_id"], contact.as_str());
    assert_eq!(record["contribution"]["external_id"], "wp-comment-18842");

    // The same message again (SQS is at-least-once): still one record, unchanged.
    let again = Message {
        v: shared::contracts::events::VERSION,
        id: id.clone(),
        source_id: source.id.clone(),
        platform: shared::contracts::sources::Platform::StandardWebhooks,
        dedupe_key: "msg_incident".into(),
        received_at: serde_json::from_value(record["received_at"].clone()).unwrap(),
        correlation_id: "redelivery".into(),
        event: Event::Contribution(serde_json::from_value(record["contribution"].clone()).unwrap()),
    };
    system
        .resources
        .clients
        .sqs
        .send_message()
        .queue_url(system.resources.queue_url("ContributionsQueue"))
        .message_body(again.encode())
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        if system.resources.queue_depth("ContributionsQueue").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = recorded(&system, &id).await.unwrap();
    assert_eq!(after["classified_at"], record["classified_at"]);
    assert_eq!(system.resources.count_items("ContributionsTable").await, 2);
    // The reports count each contribution once, though the first came twice.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let report = |by: &str| format!("/admin/reports/contributions?from={today}&to={today}&by={by}");
    let (status, by_label) =
        staff(&system, "GET", &report("label"), "liaison-marketer", None).await;
    assert_eq!(status, 200, "{by_label}");
    assert_eq!(by_label["total"], 2);
    assert_eq!(
        by_label["groups"],
        serde_json::json!([{"key": "incident", "count": 2}])
    );
    let (_, by_platform) = staff(&system, "GET", &report("platform"), "liaison-sales", None).await;
    assert_eq!(
        by_platform["groups"],
        serde_json::json!([{"key": "standard-webhooks", "count": 2}])
    );
    let (_, by_day) = staff(&system, "GET", &report("day"), "liaison-support", None).await;
    assert_eq!(
        by_day["groups"],
        serde_json::json!([{"key": today, "count": 2}])
    );
    for bad in [
        format!("/admin/reports/contributions?from={today}&to=2020-01-01"),
        format!("/admin/reports/contributions?from={today}&to={today}&by=author"),
        format!("/admin/reports/contributions?to={today}"),
        "/admin/reports/contributions?from=2020-01-01&to=2026-01-01".to_string(),
    ] {
        let (status, _) = staff(&system, "GET", &bad, "liaison-admin", None).await;
        assert_eq!(status, 400, "{bad}");
    }
    assert_eq!(system.resources.queue_depth("ContributionsQueue").await, 0);
    // One contact: its profile, its email identity and that email's lookup.
    assert_eq!(system.resources.count_items("ContactsTable").await, 3);
    // Two comments (weight 2 each), minutes apart: a contribution score of about 4.
    let profile = system
        .resources
        .clients
        .dynamodb
        .get_item()
        .table_name(system.resources.table("ContactsTable"))
        .key("pk", AttributeValue::S(format!("contact#{contact}")))
        .key("sk", AttributeValue::S("profile".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let score: f64 = profile["contribution_score"]
        .as_n()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3.99..=4.0).contains(&score), "{score}");
    // An incident: exactly one case, one `case.opened` event and one alert, though the
    // first comment was processed twice. (The second comment is an incident too.)
    assert_eq!(system.resources.count_items("CasesTable").await, 2);
    let case_id = e2e::case_id_of(&system, &id).await;
    let for_case: Vec<_> = system
        .resources
        .published_events("case.opened")
        .await
        .into_iter()
        .filter(|text| text.contains(&case_id))
        .collect();
    assert_eq!(for_case.len(), 1);
    let opened: serde_json::Value = serde_json::from_str(&for_case[0]).unwrap();
    assert_eq!(opened["contact_id"], contact.as_str(), "{opened}");
    let alerts: Vec<_> = system
        .resources
        .sent_emails()
        .await
        .into_iter()
        .filter(|m| m.to_string().contains(&case_id))
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].to_string().contains("support@liaison.local"));
}

#[tokio::test]
async fn an_unreadable_message_should_go_to_the_dead_letter_queue_alone() {
    let system = harness::system().await;
    let queue = system.resources.queue_url("ContributionsQueue");
    let sqs = &system.resources.clients.sqs;
    for body in [r#"{"v":99,"id":"evt_future"}"#, "not json"] {
        sqs.send_message()
            .queue_url(&queue)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    let source = create_source(&system, "blog").await;
    let resp = deliver(
        &system,
        &source,
        "msg_ok",
        &fixture("standard-webhooks/review-created.json"),
    )
    .await;
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(recorded(&system, &id).await.is_some());
    for _ in 0..100 {
        if system
            .resources
            .queue_depth("ContributionsDeadLetterQueue")
            .await
            == 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rejected = system
        .resources
        .peek_queue("ContributionsDeadLetterQueue")
        .await;
    assert_eq!(rejected.len(), 2);
    for m in &rejected {
        let reason = m.message_attributes().unwrap()
            [shared::kit::batch::REJECTION_REASON_ATTRIBUTE]
            .string_value()
            .unwrap();
        assert!(!reason.is_empty());
    }
    assert_eq!(system.resources.count_items("ContributionsTable").await, 1);
}

#[tokio::test]
async fn a_purchase_intent_should_open_an_opportunity_and_no_case() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let body = serde_json::json!({
        "type": "contribution.created",
        "data": {
            "id": "c-intent-1",
            "kind": "comment",
            "text": "Elle existe en noir ? Je voudrais commander la lampe pour Noël, vous livrez en Belgique ?",
            "created_at": "2026-11-23T10:00:00Z",
            "author": {"name": "Client", "email": "client@example.be"}
        }
    });
    let resp = deliver(&system, &source, "msg_intent", body.to_string().as_bytes()).await;
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let record = recorded(&system, &id).await.expect("classified");
    assert_eq!(
        record["classification"]["label"], "purchase_intent",
        "{record}"
    );
    assert_eq!(system.resources.count_items("OpportunitiesTable").await, 1);
    assert_eq!(system.resources.count_items("CasesTable").await, 0);
    assert!(system
        .resources
        .published_events("case.opened")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_held_spam_comment_should_be_decided_as_spam_with_its_reasons() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let body = serde_json::json!({
        "type": "contribution.created",
        "data": {
            "id": "c-held-spam",
            "kind": "comment",
            "text": "Earn $900 per day from home with crypto trading!!! Check my profile https://quick-cash-example.biz",
            "created_at": "2026-11-23T10:00:00Z",
            "moderation": "pending",
            "author": {"name": "promo", "email": "promo@example.biz"}
        }
    });
    let resp = deliver(&system, &source, "msg_spam", body.to_string().as_bytes()).await;
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let record = recorded(&system, &id).await.expect("classified");
    assert_eq!(record["moderation"]["decision"], "spam", "{record}");
    assert_eq!(record["moderation"]["decided_by"], "liaison");
    assert!(!record["moderation"]["reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(system.resources.count_items("CasesTable").await, 0);
}

#[tokio::test]
async fn an_edited_incident_should_keep_its_one_case_and_a_deletion_ask_nothing() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let event = |kind: &str, text: &str| {
        serde_json::json!({
            "type": format!("contribution.{kind}"),
            "data": {"id": "c-edit-1", "kind": "comment", "text": text,
                     "created_at": "2026-11-23T10:00:00Z",
                     "author": {"name": "Client", "email": "edit@example.com"}}
        })
        .to_string()
    };
    let send = |id: &'static str, body: String| {
        let system = &system;
        let source = &source;
        async move {
            let resp = deliver(system, source, id, body.as_bytes()).await;
            assert_eq!(resp.status().as_u16(), 202);
            let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string();
            recorded(system, &id).await.expect("classified")
        }
    };
    let created = send(
        "msg_created",
        event("created", "My parcel never arrived, this is unacceptable"),
    )
    .await;
    let case_id = e2e::case_id_of(&system, created["id"].as_str().unwrap()).await;
    // The emails about this comment: its case's alert and its author's confirmation request
    // (moto keeps every test's, and other tests' texts may say "unacceptable" too).
    let emails_about_it = || async {
        system
            .resources
            .sent_emails()
            .await
            .iter()
            .filter(|e| {
                let text = e.to_string();
                text.contains("edit@example.com") || text.contains(&case_id)
            })
            .count()
    };
    let emails = emails_about_it().await;
    assert!(emails >= 1, "an alert and a confirmation request");
    let edited = send(
        "msg_updated",
        event(
            "updated",
            "My parcel never arrived and nobody answers, this is unacceptable",
        ),
    )
    .await;
    assert_eq!(edited["classification"]["label"], "incident");
    assert_eq!(system.resources.count_items("CasesTable").await, 1);
    assert_eq!(
        system.resources.published_events("case.opened").await.len(),
        1
    );
    // The edit sends no second alert (the case's) and no second confirmation (a week's).
    assert_eq!(emails_about_it().await, emails);
    let deleted = send(
        "msg_deleted",
        event("deleted", "My parcel never arrived, this is unacceptable"),
    )
    .await;
    assert!(deleted["moderation"].is_null(), "{deleted}");
    assert_eq!(system.resources.count_items("CasesTable").await, 1);
    assert_eq!(emails_about_it().await, emails);
}
