//! A commenter who typed an unknown email becomes a prospect, gets one confirmation email
//! (in the local SES store), and following its link verifies the email.

use e2e::SendChecked;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use e2e::{create_source, deliver};
use liaison_local::harness::{self, TestSystem};

fn comment(id: &str, email: &str) -> Vec<u8> {
    serde_json::json!({
        "type": "contribution.created",
        "data": {
            "id": id,
            "kind": "comment",
            "text": "Bonjour, est-ce que la lampe existe en version murale ? Merci !",
            "created_at": "2026-11-23T10:00:00Z",
            "author": {"name": "Camille", "email": email}
        }
    })
    .to_string()
    .into_bytes()
}

/// The emails sent to `to`, waiting for the runner's poller.
async fn emails_to(system: &TestSystem, to: &str, expected: usize) -> Vec<serde_json::Value> {
    let mut found = Vec::new();
    for _ in 0..100 {
        found = system
            .resources
            .sent_emails()
            .await
            .into_iter()
            .filter(|m| m.to_string().contains(to))
            .collect();
        if found.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    found
}

/// The link's token, as the commenter's mail client shows it.
fn link_token(email_text: &str) -> String {
    let start = email_text.find("/t/verify/").expect("a verification link");
    email_text[start + "/t/verify/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect()
}

async fn lookups_verified(system: &TestSystem) -> Vec<bool> {
    let scan = system
        .resources
        .clients
        .dynamodb
        .scan()
        .table_name(system.resources.table("ContactsTable"))
        .send()
        .await
        .unwrap();
    scan.items
        .unwrap_or_default()
        .iter()
        .filter(|i| i["sk"].as_s().is_ok_and(|s| s == "lookup"))
        .map(|i| *i["verified"].as_bool().unwrap())
        .collect()
}

#[tokio::test]
async fn an_unknown_commenter_should_be_asked_once_and_verified_by_the_link() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let address = format!("camille-{}@example.com", &source.id[4..12]);
    assert_eq!(
        deliver(&system, &source, "msg_v1", &comment("c-v1", &address))
            .await
            .status()
            .as_u16(),
        202
    );
    let sent = emails_to(&system, &address, 1).await;
    assert_eq!(sent.len(), 1, "one confirmation email");
    let text = sent[0].to_string();
    assert!(text.contains("Bonjour Camille"), "{text}");
    let token = link_token(&text);
    assert_eq!(lookups_verified(&system).await, [false]);

    // A second comment the same week: no second email.
    deliver(&system, &source, "msg_v2", &comment("c-v2", &address)).await;
    for _ in 0..100 {
        if system.resources.count_items("ContributionsTable").await == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(system.resources.count_items("ContributionsTable").await, 2);
    assert_eq!(emails_to(&system, &address, 1).await.len(), 1);
    // The email is on the person's timeline, once.
    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts?email={address}"),
        "liaison-support",
        None,
    )
    .await;
    let id = person["id"].as_str().expect("a contact").to_string();
    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{id}"),
        "liaison-support",
        None,
    )
    .await;
    let emails: Vec<&serde_json::Value> = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["timeline_kind"] == "emails")
        .collect();
    assert_eq!(emails.len(), 1, "{person}");
    assert_eq!(emails[0]["kind"], "verification");
    assert!(emails[0]["subject"].as_str().unwrap().contains("confirmer"));

    // Following the link (as a mail scanner or a link preview does) verifies nothing: it
    // shows a button.
    let client = reqwest::Client::new();
    let url = system.url(&format!("/t/verify/{token}"));
    let followed = client.get(&url).send_checked().await.unwrap();
    let status = followed.status().as_u16();
    let page = followed.text().await.unwrap();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert_eq!(lookups_verified(&system).await, [false]);
    // The person presses it.
    let confirmed = client.post(&url).send_checked().await.unwrap();
    assert_eq!(confirmed.status().as_u16(), 200);
    assert!(confirmed.text().await.unwrap().contains("confirm"));
    assert_eq!(lookups_verified(&system).await, [true]);
    // Twice is harmless; a forged token is refused, shown or pressed.
    assert_eq!(
        client
            .post(&url)
            .send_checked()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let forged = system.url(&format!("/t/verify/{}x", token));
    assert_eq!(
        client
            .get(&forged)
            .send_checked()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        client
            .post(&forged)
            .send_checked()
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    let item = system
        .resources
        .clients
        .dynamodb
        .scan()
        .table_name(system.resources.table("ContactsTable"))
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default()
        .into_iter()
        .find(|i| i["sk"].as_s().is_ok_and(|s| s.starts_with("identity#")))
        .unwrap();
    assert_eq!(item["verified"], AttributeValue::Bool(true));
    assert_eq!(item["verified_by"], AttributeValue::S("email_link".into()));
}

#[tokio::test]
async fn a_marketer_should_reword_the_verification_email_and_reset_it() {
    let system = harness::system().await;
    let path = "/admin/templates/verification";
    let (status, shown) = e2e::staff(&system, "GET", path, "liaison-marketer", None).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["fr"]["custom"], false);
    assert!(shown["fr"]["text"].as_str().unwrap().contains("{{ link }}"));

    let without_link = serde_json::json!({"subject": "Confirmez", "text": "Bonjour {{ name }}"});
    let (status, body) = e2e::staff(
        &system,
        "PUT",
        &format!("{path}/fr"),
        "liaison-marketer",
        Some(without_link),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("text")),
        "{body}"
    );
    let (status, _) = e2e::staff(
        &system,
        "PUT",
        &format!("{path}/de"),
        "liaison-marketer",
        Some(serde_json::json!({"subject": "x", "text": "{{ link }}"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = e2e::staff(
        &system,
        "PUT",
        &format!("{path}/fr"),
        "liaison-sales",
        Some(serde_json::json!({"subject": "x", "text": "{{ link }}"})),
    )
    .await;
    assert_eq!(status, 403);
    let reworded = serde_json::json!({
        "subject": "Un petit clic, {{ name }} ?",
        "text": "{% if name %}Chère {{ name }},{% endif %}\nUn clic pour confirmer : {{ link }}\nL'équipe Lumière"
    });
    // The editor's preview: the sample values, the save's checks, nothing stored.
    let preview = format!("{path}/preview");
    let (status, shown) = e2e::staff(
        &system,
        "POST",
        &preview,
        "liaison-marketer",
        Some(reworded.clone()),
    )
    .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["subject"], "Un petit clic, Camille ?");
    assert!(shown["text"]
        .as_str()
        .unwrap()
        .contains("Chère Camille,\nUn clic pour confirmer : https://"));
    let typo = serde_json::json!({"subject": "x", "text": "{{ link }} {{ nom }}"});
    let (status, body) =
        e2e::staff(&system, "POST", &preview, "liaison-marketer", Some(typo)).await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &serde_json::json!("text"))
    );
    let (_, still) = e2e::staff(&system, "GET", path, "liaison-marketer", None).await;
    assert_eq!(still["fr"]["custom"], false, "a preview stores nothing");
    let (status, saved) = e2e::staff(
        &system,
        "PUT",
        &format!("{path}/fr"),
        "liaison-marketer",
        Some(reworded),
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    let source = create_source(&system, "blog").await;
    deliver(
        &system,
        &source,
        "w1",
        &comment("c1", "camille.template@example.fr"),
    )
    .await;
    let sent = emails_to(&system, "camille.template@example.fr", 1).await;
    let text = sent[0].to_string();
    assert!(text.contains("Un petit clic, Camille ?"), "{text}");
    assert!(
        text.contains("/t/verify/") && text.contains("L'équipe Lumière"),
        "{text}"
    );

    let (status, _) = e2e::staff(
        &system,
        "DELETE",
        &format!("{path}/fr"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, shown) = e2e::staff(&system, "GET", path, "liaison-admin", None).await;
    assert_eq!(shown["fr"]["custom"], false);
}

fn contribution(id: &str, email: &str, name: &str, text: &str, moderation: &str) -> Vec<u8> {
    serde_json::json!({
        "type": "contribution.created",
        "data": {
            "id": id,
            "kind": "comment",
            "text": text,
            "created_at": "2026-11-23T10:00:00Z",
            "moderation": moderation,
            "author": {"name": name, "email": email}
        }
    })
    .to_string()
    .into_bytes()
}

/// Waits until the contributions table holds `n` items (identify has recorded them).
async fn recorded(system: &TestSystem, n: usize) {
    for _ in 0..150 {
        if system.resources.count_items("ContributionsTable").await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("identify did not record {n} contributions");
}

#[tokio::test]
async fn a_held_or_spam_comment_should_make_the_brand_write_to_nobody() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let held = format!("held-{}@example.com", &source.id[4..12]);
    let spammer = format!("spam-{}@example.com", &source.id[4..12]);
    let question = "Bonjour, est-ce que la lampe existe en version murale ? Merci !";
    let spam = "Congrats! You've been chosen for our Customer Reward. Claim your $500 voucher here rewards-example.click";
    for (id, body) in [
        (
            "h1",
            contribution("c-h1", &held, "Camille", question, "pending"),
        ),
        (
            "h2",
            contribution("c-h2", &held, "Camille", question, "spam"),
        ),
        (
            "s1",
            contribution("c-s1", &spammer, "Camille", spam, "published"),
        ),
    ] {
        assert_eq!(
            deliver(&system, &source, id, &body).await.status().as_u16(),
            202
        );
    }
    recorded(&system, 3).await;
    let all = system.resources.sent_emails().await;
    for address in [&held, &spammer] {
        assert!(
            !all.iter().any(|m| m.to_string().contains(address.as_str())),
            "{address} got an email"
        );
    }
}

#[tokio::test]
async fn a_name_holding_a_link_should_not_be_in_the_email() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let address = format!("victim-{}@example.com", &source.id[4..12]);
    let name = "Your account is locked, call 0800 123 456 or see https://evil.example/x";
    let body = contribution(
        "c-n1",
        &address,
        name,
        "Bonjour, est-ce que la lampe existe en version murale ? Merci !",
        "published",
    );
    assert_eq!(
        deliver(&system, &source, "n1", &body)
            .await
            .status()
            .as_u16(),
        202
    );
    let sent = emails_to(&system, &address, 1).await;
    assert_eq!(sent.len(), 1);
    let text = sent[0].to_string();
    assert!(text.contains("/t/verify/"), "{text}");
    for fragment in ["evil.example", "0800", "locked"] {
        assert!(!text.contains(fragment), "{fragment} in {text}");
    }
    assert!(text.contains("Bonjour,"), "{text}");
}

#[tokio::test]
async fn a_source_should_cause_no_more_confirmation_emails_an_hour_than_its_limit() {
    let mut template = harness::template();
    template
        .parameters
        .get_mut("VerificationsPerSourcePerHour")
        .unwrap()
        .default = Some("2".into());
    let system = harness::system_with(template, liaison_local::registry::Registry::builtin()).await;
    let source = create_source(&system, "blog").await;
    let tag = &source.id[4..12];
    let hour = || chrono::Utc::now().format("%Y-%m-%dT%H").to_string();
    let started_in = hour();
    for n in 0..4 {
        let body = contribution(
            &format!("c-l{n}"),
            &format!("flood{n}-{tag}@example.com"),
            "Camille",
            "Bonjour, est-ce que la lampe existe en version murale ? Merci !",
            "published",
        );
        deliver(&system, &source, &format!("l{n}"), &body).await;
    }
    recorded(&system, 4).await;
    let sent = system
        .resources
        .sent_emails()
        .await
        .into_iter()
        .filter(|m| m.to_string().contains(&format!("-{tag}@example.com")))
        .count();
    // The limit is per hour: a test that straddles one may see two hours' worth.
    if hour() == started_in {
        assert_eq!(sent, 2);
    } else {
        assert!(sent <= 4);
    }
}

#[tokio::test]
async fn a_stranger_typing_a_verified_address_should_not_write_as_its_owner() {
    let system = harness::system().await;
    let source = create_source(&system, "blog").await;
    let address = format!("owner-{}@example.com", &source.id[4..12]);
    let question = "Bonjour, est-ce que la lampe existe en version murale ? Merci !";
    let first = e2e::deliver_contribution(
        &system,
        &source,
        "o1",
        serde_json::from_slice(&contribution(
            "c-o1",
            &address,
            "Camille",
            question,
            "published",
        ))
        .map(|v: serde_json::Value| v["data"].clone())
        .unwrap(),
    )
    .await;
    let sent = emails_to(&system, &address, 1).await;
    let token = link_token(&sent[0].to_string());
    let confirmed = reqwest::Client::new()
        .post(system.url(&format!("/t/verify/{token}")))
        .send_checked()
        .await
        .unwrap();
    assert_eq!(confirmed.status().as_u16(), 200);
    let owner = e2e::recorded(&system, &first).await.unwrap()["contact_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Someone else types the same address under another comment.
    let stranger_text = "Your product broke, refund me now or I post everywhere";
    let second = e2e::deliver_contribution(
        &system,
        &source,
        "o2",
        serde_json::json!({"id": "c-o2", "kind": "comment", "text": stranger_text,
            "created_at": "2026-11-23T11:00:00Z", "author": {"name": "Mallory", "email": address}}),
    )
    .await;
    let record = e2e::recorded(&system, &second).await.unwrap();
    let stranger = record["contact_id"].as_str().unwrap().to_string();
    assert_ne!(stranger, owner, "the comment is not the owner's");
    // Whoever typed it comes back: the same prospect, not one per comment.
    let third = e2e::deliver_contribution(
        &system,
        &source,
        "o3",
        serde_json::json!({"id": "c-o3", "kind": "comment", "text": "Still waiting",
            "created_at": "2026-11-23T12:00:00Z", "author": {"name": "Mallory", "email": address}}),
    )
    .await;
    let again = e2e::recorded(&system, &third).await.unwrap();
    assert_eq!(again["contact_id"].as_str(), Some(stranger.as_str()));

    let (_, person) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{owner}"),
        "liaison-support",
        None,
    )
    .await;
    let contributions: Vec<&serde_json::Value> = person["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["timeline_kind"] == "contributions")
        .collect();
    assert_eq!(contributions.len(), 1, "{person}");
    assert!(!person.to_string().contains("refund me now"));
    // Staff see the two as possibly the same person, and decide.
    let (_, newcomer) = e2e::staff(
        &system,
        "GET",
        &format!("/admin/contacts/{stranger}"),
        "liaison-support",
        None,
    )
    .await;
    assert!(
        newcomer["merge_candidates"].to_string().contains(&owner),
        "{newcomer}"
    );
    // And the owner is not asked again to confirm because of the stranger (the record is
    // written after every other effect, so the count is final).
    let to_owner = system
        .resources
        .sent_emails()
        .await
        .into_iter()
        .filter(|m| m.to_string().contains(&address))
        .count();
    assert_eq!(to_owner, 1);
}
