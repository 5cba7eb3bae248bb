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

/// A comment written through WordPress's REST API with the brand user's login, as Liaison
/// writes it (or, with `author_name`, a visitor's reply as the site would store it).
async fn rest_comment(wp: &WordPress, body: Value) -> Value {
    reqwest::Client::new()
        .post(wp.rest("/wp/v2/comments"))
        .basic_auth(&wp.user, Some(&wp.application_password))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
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

    // Ada answers the brand's reply: her words join the case's thread.
    let follow_up = rest_comment(
        wp,
        json!({"post": post, "parent": replies[0]["id"], "author_name": "Ada",
               "author_email": address, "content": "Thank you, it just arrived!"}),
    )
    .await;
    let follow_up_id = follow_up["id"].as_u64().expect("a comment id");
    let heard = deliver(
        &system,
        &source,
        &webhook(&wp.comment(follow_up_id).await.unwrap(), "1"),
    )
    .await;
    let thread = thread_when(&system, &case, |t| {
        t["follow_ups"].as_array().is_some_and(|f| f.len() == 1)
    })
    .await;
    assert_eq!(thread["follow_ups"][0]["id"], heard.as_str());
    assert_eq!(
        thread["follow_ups"][0]["text"],
        "Thank you, it just arrived!"
    );
    assert_eq!(
        thread["follow_ups"][0]["in_reply_to"], thread["answers"][1]["id"],
        "{thread}"
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

    // Closing the case tells the author on the channel they used, once the message is
    // checked: one too long for WordPress leaves the case open.
    let close = |body: Value| {
        let system = &system;
        let path = format!("/admin/cases/{case}/close");
        async move { staff(system, "POST", &path, "liaison-support", Some(body)).await }
    };
    let (status, refused) = close(json!({"resolution": "courier", "message":
        {"channel": "public_reply", "text": "x".repeat(20_001)}}))
    .await;
    assert_eq!(status, 400, "{refused}");
    let (status, closed) = close(json!({"resolution": "courier came", "message":
        {"channel": "public_reply", "text": "Glad the parcel reached you. We close this thread."}}))
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closing_answer"]["state"], "queued");
    thread_when(&system, &case, |t| {
        t["answers"].as_array().unwrap().len() == 3 && t["answers"][2]["state"] == "published"
    })
    .await;
    assert_eq!(wp.replies(comment_id).await.unwrap().len(), 2);

    // Time to first answer and to close, from the case itself.
    let (status, times) = staff(
        &system,
        "GET",
        &format!("/admin/reports/response-times?from={today}&to={today}"),
        "liaison-support",
        None,
    )
    .await;
    assert_eq!(status, 200, "{times}");
    assert_eq!(times["cases"], 1, "{times}");
    assert_eq!(times["first_answer"]["count"], 1, "{times}");
    assert_eq!(times["close"]["count"], 1, "{times}");
    assert!(times["first_answer"]["median_minutes"].as_f64().unwrap() < 5.0);
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
    status_when(wp, comment_id, "approved").await;
    eprintln!(
        "moderation from decision to applied: {} ms",
        sent_at.elapsed().as_millis()
    );

    // Staff then delete it: to WordPress's bin.
    let (status, deleted) = staff(
        &system,
        "PUT",
        &format!("/admin/moderation/{event}"),
        "liaison-support",
        Some(json!({"decision": "delete", "reason": "the author asked"})),
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    status_when(wp, comment_id, "trash").await;
}

/// Waits until WordPress shows comment `id` with `status`.
async fn status_when(wp: &WordPress, id: u64, status: &str) {
    for _ in 0..150 {
        if wp.comment(id).await.unwrap()["status"] == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("comment {id} never became {status} in WordPress");
}

/// An answer to `event` left `unknown` (its call's outcome was lost), as the answers function
/// leaves it, and the read-back it asks for delivered now.
async fn unknown_answer_read_back(system: &TestSystem, event: &str, text: &str) -> Value {
    use shared::contracts::answers::{self, Answer, AnswerStore, Channel, Job, JobMessage, State};
    let resources = &system.resources;
    let record = recorded(system, event).await.expect("recorded");
    let store = AnswerStore {
        client: resources.clients.dynamodb.clone(),
        table: resources.table("AnswersTable"),
        reports_table: resources.table("ReportsTable"),
        cases_table: resources.table("CasesTable"),
    };
    let now = chrono::Utc::now();
    let target = answers::Target {
        source_id: record["source_id"].as_str().unwrap().into(),
        platform: shared::contracts::sources::Platform::WordPress,
        external_id: record["contribution"]["external_id"]
            .as_str()
            .unwrap()
            .into(),
        thread_id: record["contribution"]["thread_id"]
            .as_str()
            .map(str::to_string),
        author_id: None,
        written_at: now,
    };
    let answer = Answer {
        text: text.into(),
        author: "agent-1".into(),
        state: State::Unknown,
        reason: Some("no answer after sending".into()),
        ..Answer::queued(
            format!("ans_{}", now.timestamp_micros()),
            event.into(),
            Channel::PublicReply,
            target,
            now,
        )
    };
    store.create(&answer, false).await.unwrap();
    let job = JobMessage::new(Job::Reconcile {
        contribution_id: event.into(),
        answer_id: answer.id.clone(),
    });
    resources
        .clients
        .sqs
        .send_message()
        .queue_url(resources.queue_url("AnswersQueue"))
        .message_body(serde_json::to_string(&job).unwrap())
        .send()
        .await
        .unwrap();
    for _ in 0..100 {
        let now = store.get(event, &answer.id).await.unwrap().unwrap();
        if now.state != State::Unknown {
            return serde_json::to_value(now).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the unknown answer was never read back");
}

#[tokio::test]
async fn an_unknown_reply_should_be_read_back_from_wordpress_found_or_not() {
    let wp = wordpress::shared()
        .await
        .expect("a real WordPress (make deps installs it)");
    let system = harness::system().await;
    let source = wordpress_source(&system, wp).await;
    let post = wp.create_post("Lamp shades").await.unwrap();
    let comment_id = wp
        .create_comment(
            post,
            "Do you ship to Belgium?",
            "Noor",
            "noor@example.org",
            "approved",
        )
        .await
        .unwrap();
    let event = deliver(
        &system,
        &source,
        &webhook(&wp.comment(comment_id).await.unwrap(), "1"),
    )
    .await;

    // The brand's reply did reach WordPress (as Liaison posts it), but its answer was lost.
    let text = "We do: delivery to Belgium takes three days.";
    let reply = rest_comment(
        wp,
        json!({"post": post, "parent": comment_id, "content": text}),
    )
    .await;
    let found = unknown_answer_read_back(&system, &event, text).await;
    assert_eq!(found["state"], "published", "{found}");
    assert_eq!(found["published"]["platform_id"], reply["id"].to_string());

    // Another whose call never reached WordPress: not there, so staff may send it again.
    let missing = unknown_answer_read_back(&system, &event, "And to the Netherlands too.").await;
    assert_eq!(missing["state"], "failed", "{missing}");
    assert!(missing["reason"]
        .as_str()
        .unwrap()
        .contains("it was not published"));
}
