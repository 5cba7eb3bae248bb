//! Answers end to end, against a real WordPress (Debian's package, `liaison_stack::wordpress`):
//! a comment reporting an incident opens a case; an agent answers by email and with a public
//! reply carrying a visible and a hidden tag; the reply is in WordPress, threaded under the
//! comment, as WordPress's own REST API shows; WordPress's webhook for that reply is linked
//! to the answer, not read as a new contribution; the report by tag counts it. A held comment
//! an agent approves is `approved` in WordPress.

use std::time::{Duration, Instant};

use e2e::platforms::{post_signed, register, Registered};
use e2e::{case_id_of, recorded, recorded_now, staff};
use liaison_local::harness::{self, TestSystem};
use liaison_stack::wordpress::{self, WordPress};
use serde_json::{json, Value};

/// What WP Webhooks sends for `create_comment` (the fields Liaison reads), for a comment
/// as WordPress's REST API shows it with `context=edit`.
fn webhook(comment: &Value, approved: &str) -> Vec<u8> {
    let gmt = comment["date_gmt"].as_str().unwrap().replace('T', " ");
    json!({
        "comment_id": comment["id"],
        "comment_data": {
            "comment_ID": comment["id"].to_string(),
            "comment_post_ID": comment["post"].to_string(),
            "comment_author": comment["author_name"],
            "comment_author_email": comment["author_email"],
            "comment_author_url": "",
            "comment_date_gmt": gmt,
            "comment_content": comment["content"]["raw"],
            "comment_approved": approved,
            "comment_type": "comment",
            "comment_parent": comment["parent"].to_string(),
            "user_id": comment["author"].to_string(),
        },
    })
    .to_string()
    .into_bytes()
}

async fn deliver(system: &TestSystem, source: &Registered, body: &[u8]) -> String {
    let resp = post_signed(
        system,
        source,
        &source.secret,
        &[
            ("x-wp-webhook-name", "create_comment"),
            ("content-type", "application/json"),
        ],
        body,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 202);
    let answer: Value = resp.json().await.unwrap();
    answer["id"].as_str().expect("an event id").to_string()
}

async fn thread_when(system: &TestSystem, case: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..150 {
        let (status, thread) = staff(
            system,
            "GET",
            &format!("/admin/cases/{case}/answers"),
            "liaison-support",
            None,
        )
        .await;
        assert_eq!(status, 200, "{thread}");
        if ready(&thread) {
            return thread;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the thread of {case} never got there");
}

async fn wordpress_source(system: &TestSystem, wp: &WordPress) -> Registered {
    register(
        system,
        json!({"platform": "wordpress", "name": "Blog",
               "settings": {"site_url": wp.base_url},
               "credentials": {"username": wp.user, "application_password": wp.application_password}}),
    )
    .await
}

#[tokio::test]
async fn an_incident_on_wordpress_should_be_answered_by_email_and_in_the_thread_then_linked_and_counted(
) {
    let wp = wordpress::shared()
        .await
        .expect("a real WordPress (make deps installs it)");
    let system = harness::system().await;
    let source = wordpress_source(&system, wp).await;
    let post = wp.create_post("Our new kettle").await.unwrap();
    let address = format!("ada{}@example.org", chrono::Utc::now().timestamp_micros());
    let comment_id = wp
        .create_comment(
            post,
            "My parcel never arrived and nobody answers, this is unacceptable",
            "Ada",
            &address,
            "approved",
        )
        .await
        .unwrap();
    let comment = wp.comment(comment_id).await.unwrap();
    let event = deliver(&system, &source, &webhook(&comment, "1")).await;
    let case = case_id_of(&system, &event).await;
    recorded(&system, &event).await.expect("recorded");

    // Refused before anything is stored: no such channel on WordPress, an empty text.
    let answer = |body: Value| {
        let system = &system;
        let path = format!("/admin/cases/{case}/answers");
        async move { staff(system, "POST", &path, "liaison-support", Some(body)).await }
    };
    let (status, refused) = answer(json!({"channel": "private_message", "text": "Hello"})).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("WordPress has no private messages"));
    assert_eq!(
        answer(json!({"channel": "public_reply", "text": "  "}))
            .await
            .0,
        400
    );
    let (status, _) = staff(
        &system,
        "POST",
        &format!("/admin/cases/{case}/answers"),
        "liaison-marketer",
        Some(json!({"channel": "email", "text": "Hi"})),
    )
    .await;
    assert_eq!(status, 403, "marketers do not answer cases");

    let sent_at = Instant::now();
    let (status, by_email) = answer(json!({"channel": "email",
        "text": "We are so sorry. A courier will bring your parcel tomorrow morning."}))
    .await;
    assert_eq!(status, 202, "{by_email}");
    let (status, reply) = answer(json!({"channel": "public_reply",
        "text": "We have written to you privately: your parcel arrives tomorrow.",
        "tags": {"visible": ["delivery"], "hidden": ["courier-late"]}}))
    .await;
    assert_eq!(status, 202, "{reply}");
    assert_eq!(reply["answer"]["state"], "queued");
    let thread = thread_when(&system, &case, |t| {
        t["answers"]
            .as_array()
            .is_some_and(|a| a.len() == 2 && a.iter().all(|a| a["state"] == "published"))
    })
    .await;
    eprintln!(
        "two answers from send to published: {} ms",
        sent_at.elapsed().as_millis()
    );
    assert_eq!(thread["contribution"]["id"], event.as_str());
    assert!(thread["first_answered_at"].is_string());

    // In WordPress, by WordPress's own account: under the comment, by the brand's user.
    let replies = wp.replies(comment_id).await.unwrap();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0]["parent"], comment_id);
    assert_eq!(replies[0]["post"], post);
    assert_eq!(replies[0]["author"], wp.user_id());
    assert!(replies[0]["content"]["raw"]
        .as_str()
        .unwrap()
        .contains("your parcel arrives tomorrow"));
    let published = thread["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["channel"] == "public_reply")
        .unwrap()
        .clone();
    assert_eq!(
        published["published"]["platform_id"],
        replies[0]["id"].to_string()
    );

    // The email reached the author, once (besides the request to confirm their address).
    let emails: Vec<String> = system
        .resources
        .sent_emails()
        .await
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains(&address) && m.contains("courier will bring"))
        .collect();
    assert_eq!(emails.len(), 1, "{emails:?}");

    // WordPress tells Liaison of the brand's reply: linked to the answer, not a contribution.
    let echo_comment = wp
        .comment(replies[0]["id"].as_u64().unwrap())
        .await
        .unwrap();
    let echo = deliver(&system, &source, &webhook(&echo_comment, "1")).await;
    let thread = thread_when(&system, &case, |t| {
        t["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["echo_event_id"] == echo.as_str())
    })
    .await;
    assert_eq!(thread["answers"].as_array().unwrap().len(), 2);
    assert!(
        recorded_now(&system, &echo).await.is_none(),
        "the brand's own reply is not a contribution"
    );

    // Counted by tag (visible and hidden) and by channel.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (status, report) = staff(
        &system,
        "GET",
        &format!("/admin/reports/answers?by=tag&from={today}&to={today}"),
        "liaison-marketer",
        None,
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let groups = report["groups"].as_array().unwrap();
    assert!(
        groups.contains(&json!({"key": "delivery", "count": 1})),
        "{report}"
    );
    assert!(
        groups.contains(&json!({"key": "courier-late", "count": 1})),
        "{report}"
    );
    let (_, by_channel) = staff(
        &system,
        "GET",
        &format!("/admin/reports/answers?by=channel&from={today}&to={today}"),
        "liaison-admin",
        None,
    )
    .await;
    assert_eq!(by_channel["total"], 2, "{by_channel}");
}

#[tokio::test]
async fn a_held_wordpress_comment_approved_by_an_agent_should_be_approved_in_wordpress() {
    let wp = wordpress::shared()
        .await
        .expect("a real WordPress (make deps installs it)");
    let system = harness::system().await;
    // Registered without the brand's login: it can hear, not answer, until staff give it.
    let source = register(
        &system,
        json!({"platform": "wordpress", "name": "Blog", "settings": {"site_url": wp.base_url}}),
    )
    .await;
    let post = wp.create_post("Workshop news").await.unwrap();
    let first = wp
        .create_comment(
            post,
            "Lovely workshop photos",
            "Eve",
            "eve@example.org",
            "approved",
        )
        .await
        .unwrap();
    let heard = deliver(
        &system,
        &source,
        &webhook(&wp.comment(first).await.unwrap(), "1"),
    )
    .await;
    recorded(&system, &heard).await.expect("recorded");
    let reply = json!({"channel": "public_reply", "text": "Thank you!"});
    let path = format!("/admin/contributions/{heard}/answers");
    let (status, refused) = staff(
        &system,
        "POST",
        &path,
        "liaison-support",
        Some(reply.clone()),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lacks the credentials"),
        "{refused}"
    );
    // The same source (same URL, same secret, same dedupe keys) gets its login.
    let access = format!("/admin/sources/{}/credentials", source.id);
    let login = json!({"credentials": {"username": wp.user, "application_password": wp.application_password}});
    assert_eq!(
        staff(
            &system,
            "PUT",
            &access,
            "liaison-support",
            Some(login.clone())
        )
        .await
        .0,
        403
    );
    let (status, updated) = staff(&system, "PUT", &access, "liaison-admin", Some(login)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["credentials"],
        json!(["application_password", "username"])
    );
    let (_, shown) = staff(
        &system,
        "GET",
        &format!("/admin/sources/{}", source.id),
        "liaison-admin",
        None,
    )
    .await;
    assert!(
        !shown.to_string().contains(&wp.application_password),
        "never shown again"
    );
    let (status, queued) = staff(&system, "POST", &path, "liaison-support", Some(reply)).await;
    assert_eq!(status, 202, "{queued}");
    let address = format!("bob{}@example.org", chrono::Utc::now().timestamp_micros());
    // An incident is held by Liaison (answered privately first): WordPress keeps it held.
    let comment_id = wp
        .create_comment(
            post,
            "My lamp broke after two days and the shop ignores my emails",
            "Bob",
            &address,
            "hold",
        )
        .await
        .unwrap();
    let event = deliver(
        &system,
        &source,
        &webhook(&wp.comment(comment_id).await.unwrap(), "0"),
    )
    .await;
    let record = recorded(&system, &event).await.expect("recorded");
    assert_eq!(record["moderation"]["decision"], "hold", "{record}");

    let sent_at = Instant::now();
    let (status, changed) = staff(
        &system,
        "PUT",
        &format!("/admin/moderation/{event}"),
        "liaison-support",
        Some(json!({"decision": "approve", "reason": "answered privately"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["callback_queued"], true);
    for _ in 0..150 {
        if wp.comment(comment_id).await.unwrap()["status"] == "approved" {
            eprintln!(
                "moderation from decision to applied: {} ms",
                sent_at.elapsed().as_millis()
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the comment was never approved in WordPress");
}
