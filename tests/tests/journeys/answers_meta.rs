//! Answers on Facebook end to end through the local runner, against the Graph API double
//! (`liaison_stack::doubles::meta`): a Page comment delivered by Meta's signed webhook gets
//! one Private Reply from an agent; a second is refused with Meta's rule before anything is
//! stored or sent; a connection dropped after Meta delivered leaves the answer `unknown`,
//! and nothing is sent twice.

use std::time::{Duration, Instant};

use e2e::platforms::{post_signed, register, Registered};
use e2e::{recorded, staff};
use liaison_local::harness::{self, TestSystem};
use liaison_stack::doubles::{meta, Fault, Served};
use serde_json::{json, Value};

const PAGE: &str = "104728395561234";
const TOKEN: &str = "EAAGpage-token-journey";
const APP_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015";

async fn meta_system() -> (TestSystem, Served, std::sync::Arc<meta::Graph>) {
    let (served, graph) = meta::start(PAGE, TOKEN).await.expect("Graph API double");
    let graph_base = format!("{}/v21.0", served.url);
    let system = harness::system_with_parameters(
        harness::template(),
        liaison_local::registry::Registry::builtin(),
        &[("MetaGraphApiBase", &graph_base)],
    )
    .await;
    (system, served, graph)
}

async fn page_source(system: &TestSystem) -> Registered {
    register(
        system,
        json!({"platform": "meta", "name": "Page", "secret": APP_SECRET,
               "settings": {"page_id": PAGE},
               "credentials": {"page_access_token": TOKEN}}),
    )
    .await
}

/// Meta's `feed` change for a new comment on the Page's post, signed and delivered.
async fn comment(system: &TestSystem, source: &Registered, comment_id: &str, text: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let post = format!("{PAGE}_912305871234567");
    let body = json!({"object": "page", "entry": [{"id": PAGE, "time": now, "changes": [{
        "field": "feed",
        "value": {"from": {"id": "8234567890123456", "name": "Hélène Lefèvre"},
                  "message": text, "post_id": post, "comment_id": comment_id,
                  "created_time": now, "item": "comment", "parent_id": post, "verb": "add"}}]}]})
    .to_string();
    let resp = post_signed(
        system,
        source,
        APP_SECRET,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
    .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let accepted: Value = resp.json().await.expect("json");
    accepted["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an event id in {accepted}"))
        .to_string()
}

async fn answer(system: &TestSystem, event: &str, body: Value) -> (u16, Value) {
    staff(
        system,
        "POST",
        &format!("/admin/contributions/{event}/answers"),
        "liaison-support",
        Some(body),
    )
    .await
}

async fn settled(system: &TestSystem, event: &str) -> Value {
    for _ in 0..150 {
        let (_, thread) = staff(
            system,
            "GET",
            &format!("/admin/contributions/{event}/answers"),
            "liaison-support",
            None,
        )
        .await;
        let done = thread["answers"].as_array().is_some_and(|a| {
            !a.is_empty()
                && a.iter()
                    .all(|a| a["state"] != "queued" && a["state"] != "sending")
        });
        if done {
            return thread;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the answers to {event} never settled");
}

#[tokio::test]
async fn a_facebook_comment_should_get_one_private_reply_and_a_second_should_be_refused() {
    let (system, served, graph) = meta_system().await;
    let source = page_source(&system).await;
    let comment_id = "912305871234567_1187654321098765";
    graph.add_comment(comment_id, chrono::Duration::minutes(1), "psid-helene");
    let event = comment(&system, &source, comment_id, "My lamp arrived broken").await;
    recorded(&system, &event).await.expect("recorded");

    let sent_at = Instant::now();
    let (status, first) = answer(
        &system,
        &event,
        json!({"channel": "private_message", "text": "So sorry, Hélène: a new lamp leaves today."}),
    )
    .await;
    assert_eq!(status, 202, "{first}");
    let thread = settled(&system, &event).await;
    eprintln!(
        "meta private reply from send to published: {} ms",
        sent_at.elapsed().as_millis()
    );
    assert_eq!(thread["answers"][0]["state"], "published", "{thread}");
    assert_eq!(
        graph.comment(comment_id).unwrap().private_reply.as_deref(),
        Some("So sorry, Hélène: a new lamp leaves today.")
    );

    let (status, second) = answer(
        &system,
        &event,
        json!({"channel": "private_message", "text": "Did it arrive?"}),
    )
    .await;
    assert_eq!(status, 409, "{second}");
    assert!(second["error"]["message"]
        .as_str()
        .unwrap()
        .contains("one private reply to a comment"));
    let messages = served
        .recorder
        .requests_to(axum::http::Method::POST, &format!("/v21.0/{PAGE}/messages"));
    assert_eq!(messages.len(), 1, "Meta was asked once");
}

#[tokio::test]
async fn a_connection_dropped_after_meta_published_should_leave_the_answer_unknown() {
    let (system, served, graph) = meta_system().await;
    let source = page_source(&system).await;
    let comment_id = "912305871234567_2034567891234567";
    graph.add_comment(comment_id, chrono::Duration::minutes(1), "psid-ada");
    let event = comment(&system, &source, comment_id, "Does it ship to the UK?").await;
    recorded(&system, &event).await.expect("recorded");
    served.recorder.fail_next(Fault::DropAfterActing);
    let (status, _) = answer(
        &system,
        &event,
        json!({"channel": "public_reply", "text": "It does, in 3 days."}),
    )
    .await;
    assert_eq!(status, 202);
    let thread = settled(&system, &event).await;
    let answer = &thread["answers"][0];
    assert_eq!(answer["state"], "unknown", "{thread}");
    // Cut before or after its status line: either way Liaison cannot know.
    let reason = answer["reason"].as_str().unwrap();
    assert!(
        reason.contains("the answer was lost") || reason.contains("no answer after sending"),
        "{reason}"
    );
    // Meta did publish it; the queue's redeliveries never asked again.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(graph.comment(comment_id).unwrap().replies.len(), 1);
    assert_eq!(served.recorder.requests().len(), 1);
}
