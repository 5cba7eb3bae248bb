//! Answers and moderation decisions on Discourse, against the local stack and the Discourse
//! double of `liaison_stack::doubles::discourse` (written from Discourse's routes and
//! controllers): a reply threaded under its post, visible tags on the topic, a private
//! message to the author, and the ways Discourse fails.

mod support;

use std::sync::Arc;
use std::time::Instant;

use axum::http::Method;
use chrono::{Duration, Utc};
use liaison_stack::doubles::discourse::{self, Forum};
use liaison_stack::doubles::{Fault, Recorder, Served};
use serde_json::json;
use shared::contracts::answers::{Channel, State, Tags};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Platform;
use support::{decided, fixture, Fixture, Seed};

const KEY: &str = "d1sc0urse-api-key-0123456789abcdef";
const BRAND: &str = "brand_support";
const TOPIC: u64 = 1204;
const POST: u64 = 18342;
const POST_NUMBER: u64 = 3;
const AUTHOR: &str = "jdupont";

/// A forum with topic 1204 ("Our new kettle", tagged `kettles`) whose third post, 18342, is
/// jdupont's.
async fn forum() -> (Served, Arc<Forum>) {
    let (served, forum) = discourse::start(KEY, BRAND).await.expect("double");
    forum.add_topic(TOPIC, "Our new kettle", "our-new-kettle", &["kettles"]);
    forum.add_post(18340, TOPIC, 1, "alice");
    forum.add_post(18341, TOPIC, 2, "bob");
    forum.add_post(POST, TOPIC, POST_NUMBER, AUTHOR);
    (served, forum)
}

fn seed(url: &str, key: &str) -> Seed {
    let mut seed = Seed::new(Platform::Discourse, &POST.to_string());
    seed.settings = vec![("instance_url", json!(url))];
    seed.credentials = vec![("api_key", key.into()), ("api_username", BRAND.into())];
    seed.thread_id = Some(TOPIC.to_string());
    seed.author_id = Some("77".into());
    seed
}

async fn answering(served: &Served) -> Fixture {
    fixture(seed(&served.url, KEY), &[]).await
}

fn posts_sent(recorder: &Recorder) -> usize {
    recorder.requests_to(Method::POST, "/posts.json").len()
}

#[tokio::test]
async fn a_reply_should_be_threaded_under_its_post_by_number_and_published_once() {
    let (served, forum) = forum().await;
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let started = Instant::now();
    let (failures, after) = f.publish(&answer).await;
    eprintln!("published on Discourse in {:?}", started.elapsed());
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let reply = forum.posts_in(TOPIC).pop().expect("a reply");
    assert_eq!(
        (
            reply.username.as_str(),
            reply.reply_to_post_number,
            reply.post_number
        ),
        (BRAND, Some(POST_NUMBER), 4)
    );
    assert_eq!(reply.raw, answer.text);
    let published = after.published.expect("where it is");
    assert_eq!(published.platform_id, reply.id.to_string());
    assert_eq!(
        published.permalink,
        Some(format!("{}/t/our-new-kettle/{TOPIC}/4", served.url))
    );
    let sent = served.recorder.requests_to(Method::POST, "/posts.json");
    assert_eq!(
        sent[0].json(),
        json!({"topic_id": TOPIC, "raw": answer.text, "reply_to_post_number": POST_NUMBER})
    );
    assert_eq!(sent[0].header("api-key"), Some(KEY));
    assert_eq!(sent[0].header("api-username"), Some(BRAND));
    for _ in 0..2 {
        assert_eq!(f.publish(&answer).await.0, 0);
    }
    assert_eq!(posts_sent(&served.recorder), 1, "published once");
    assert_eq!(
        f.store
            .published_as(&f.source_id, &reply.id.to_string())
            .await
            .unwrap(),
        Some((answer.contribution_id.clone(), answer.id.clone()))
    );
}

#[tokio::test]
async fn visible_tags_should_go_on_the_topic_before_the_reply_and_hidden_ones_nowhere() {
    let (served, forum) = forum().await;
    let f = answering(&served).await;
    let tags = Tags {
        visible: vec!["delivery".into(), "kettles".into()],
        hidden: vec!["courier-x".into()],
    };
    let answer = f
        .write(
            Channel::PublicReply,
            "We are sorry: a new kettle is on its way.",
            tags,
        )
        .await
        .unwrap();
    let (_, after) = f.publish(&answer).await;
    assert_eq!(after.state, State::Published, "{after:?}");
    assert_eq!(
        forum.topic(TOPIC).unwrap().tags,
        vec!["kettles", "delivery"]
    );
    let requests = served.recorder.requests();
    let tagged = requests
        .iter()
        .position(|r| r.method == Method::PUT && r.path == format!("/t/-/{TOPIC}.json"))
        .expect("tags set");
    let replied = requests
        .iter()
        .position(|r| r.method == Method::POST && r.path == "/posts.json")
        .expect("reply sent");
    assert!(tagged < replied, "tags first: a retry never half-publishes");
    assert_eq!(
        requests[tagged].json(),
        json!({"tags": ["kettles", "delivery"]})
    );
    for r in &requests {
        let seen = format!(
            "{} {:?} {} {:?}",
            r.path,
            r.query,
            String::from_utf8_lossy(&r.body),
            r.headers
        );
        assert!(!seen.contains("courier-x"), "hidden tag sent: {seen}");
    }
}

#[tokio::test]
async fn a_topic_with_every_visible_tag_should_not_be_updated() {
    let (served, _forum) = forum().await;
    let f = answering(&served).await;
    let tags = Tags {
        visible: vec!["kettles".into()],
        hidden: vec![],
    };
    let answer = f
        .write(
            Channel::PublicReply,
            "We are sorry: a new kettle is on its way.",
            tags,
        )
        .await
        .unwrap();
    assert_eq!(f.publish(&answer).await.1.state, State::Published);
    assert!(served
        .recorder
        .requests_to(Method::PUT, &format!("/t/-/{TOPIC}.json"))
        .is_empty());
}

#[tokio::test]
async fn a_private_message_should_reach_the_author_alone() {
    let (served, forum) = forum().await;
    let f = answering(&served).await;
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let messages = forum.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].recipients, vec![AUTHOR]);
    assert_eq!(messages[0].title, "Re: Our new kettle");
    let sent = served.recorder.requests_to(Method::POST, "/posts.json")[0].json();
    assert_eq!(sent["archetype"], "private_message");
    assert_eq!(sent["target_recipients"], AUTHOR);
    assert_eq!(sent["raw"], answer.text.as_str());
    let message = forum.posts_in(messages[0].id).pop().unwrap();
    assert_eq!(after.published.unwrap().platform_id, message.id.to_string());
    assert_eq!(forum.posts_in(TOPIC).len(), 3, "nothing public");
}

#[tokio::test]
async fn an_answer_to_a_deleted_post_should_fail_with_discourses_reason() {
    let (served, forum) = forum().await;
    forum.delete_post(POST);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(
        after.reason.as_deref(),
        Some("404: The requested URL or resource could not be found.")
    );
    assert_eq!(posts_sent(&served.recorder), 0);
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_after_discourses_retry_after_then_published() {
    let (served, forum) = forum().await;
    served
        .recorder
        .fail_next_to(Method::POST, "/posts.json", discourse::rate_limited(120));
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    let wait = after.retry_at.unwrap() - Utc::now();
    assert!(
        wait > Duration::seconds(100) && wait <= Duration::seconds(120),
        "{wait}"
    );
    assert!(after.reason.unwrap().contains("too many times"));
    f.deps.clock.advance(Duration::seconds(121));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(
        (failures, after.state, after.attempts),
        (0, State::Published, 2)
    );
    assert_eq!(posts_sent(&served.recorder), 2);
    assert_eq!(forum.posts_in(TOPIC).len(), 4, "one reply");
}

#[tokio::test]
async fn a_refused_api_key_should_fail_the_answer_as_refused_credentials() {
    let (served, _forum) = forum().await;
    let f = fixture(seed(&served.url, "revoked-key"), &[]).await;
    let answer = f.answer(Channel::PublicReply).await;
    let call = answers::discourse::answer(&f.deps, &f.source().await, &answer).await;
    assert!(
        matches!(
            call,
            answers::call::Call::Refused {
                credentials: true,
                ..
            }
        ),
        "{call:?}"
    );
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(
        after.reason.as_deref(),
        Some("403: You are not permitted to view the requested resource. The API username or key is invalid.")
    );
    assert!(!after.reason.unwrap().contains("revoked-key"));
    assert_eq!(posts_sent(&served.recorder), 0);
}

#[tokio::test]
async fn a_connection_cut_after_discourse_posted_should_leave_the_answer_unknown_never_resent() {
    let (served, forum) = forum().await;
    served
        .recorder
        .fail_next_to(Method::POST, "/posts.json", Fault::DropAfterActing);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    assert!(after.reason.unwrap().contains("no answer after sending"));
    assert_eq!(forum.posts_in(TOPIC).len(), 4, "Discourse did post it");
    f.publish(&answer).await;
    assert_eq!(posts_sent(&served.recorder), 1, "never sent twice");
}

#[tokio::test]
async fn a_cut_read_before_the_reply_should_be_retried_not_unknown() {
    let (served, _forum) = forum().await;
    served.recorder.fail_next(Fault::DropAfterActing);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    assert_eq!(posts_sent(&served.recorder), 0);
}

/// Runs the moderation job of `decision` (current on the contribution) twice.
async fn decide_twice(served: &Served, decision: Decision) {
    let moderation = decided(decision);
    let mut seed = seed(&served.url, KEY);
    let decided_at = moderation.decided_at;
    seed.moderation = Some(moderation);
    let f = fixture(seed, &[]).await;
    for _ in 0..2 {
        assert_eq!(f.moderate(decided_at, decision).await, 0);
    }
}

#[tokio::test]
async fn a_hold_should_queue_the_post_for_review_hidden_once() {
    let (served, forum) = forum().await;
    decide_twice(&served, Decision::Hold).await;
    assert!(forum.post(POST).unwrap().hidden);
    let flags = served
        .recorder
        .requests_to(Method::POST, "/post_actions.json");
    assert_eq!(flags.len(), 1, "one effect");
    assert_eq!(
        flags[0].json(),
        json!({"id": POST, "post_action_type_id": 4, "flag_topic": false, "queue_for_review": true})
    );
}

#[tokio::test]
async fn spam_should_flag_the_post_as_spam_hidden_once() {
    let (served, forum) = forum().await;
    decide_twice(&served, Decision::Spam).await;
    let post = forum.post(POST).unwrap();
    assert!(post.hidden);
    assert_eq!(post.acted, vec![8]);
    assert_eq!(
        served
            .recorder
            .requests_to(Method::POST, "/post_actions.json")
            .len(),
        1
    );
}

#[tokio::test]
async fn an_approval_should_unhide_a_hidden_post_once() {
    let (served, forum) = forum().await;
    if let Some(post) = forum.posts.lock().unwrap().get_mut(&POST) {
        post.hidden = true;
    }
    decide_twice(&served, Decision::Approve).await;
    assert!(!forum.post(POST).unwrap().hidden);
    assert_eq!(
        served
            .recorder
            .requests_to(Method::PUT, &format!("/posts/{POST}/unhide.json"))
            .len(),
        1
    );
}

#[tokio::test]
async fn a_deletion_should_delete_the_post_once() {
    let (served, forum) = forum().await;
    decide_twice(&served, Decision::Delete).await;
    assert!(forum.post(POST).unwrap().deleted);
    assert_eq!(
        served
            .recorder
            .requests_to(Method::DELETE, &format!("/posts/{POST}.json"))
            .len(),
        1,
        "the second finds it deleted"
    );
}

#[tokio::test]
async fn an_approval_of_a_visible_post_should_change_nothing() {
    let (served, _forum) = forum().await;
    decide_twice(&served, Decision::Approve).await;
    let writes = served
        .recorder
        .requests()
        .into_iter()
        .filter(|r| r.method != Method::GET)
        .count();
    assert_eq!(writes, 0);
}

/// The read-back job of `answer`.
fn read_back(answer: &shared::contracts::answers::Answer) -> shared::contracts::answers::Job {
    shared::contracts::answers::Job::Reconcile {
        contribution_id: answer.contribution_id.clone(),
        answer_id: answer.id.clone(),
    }
}

#[tokio::test]
async fn an_unknown_reply_discourse_posted_should_be_read_back_and_found_published() {
    let (served, forum) = forum().await;
    // The brand's earlier answer to the same post, and the author quoting this one: not it.
    forum.add_post(18343, TOPIC, 4, BRAND);
    forum.add_post(18344, TOPIC, 5, AUTHOR);
    for (id, raw) in [
        (18343, "Could you send us a photo of the kettle?"),
        (18344, "We are sorry: a new kettle is on its way."),
    ] {
        if let Some(post) = forum.posts.lock().unwrap().get_mut(&id) {
            post.reply_to_post_number = Some(POST_NUMBER);
            post.raw = raw.into();
        }
    }
    served
        .recorder
        .fail_next_to(Method::POST, "/posts.json", Fault::DropAfterActing);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    let (_, after) = f.publish(&answer).await;
    assert_eq!(after.state, State::Unknown, "{after:?}");
    assert_eq!(f.resources.delayed_messages("AnswersQueue").await, 1);
    assert_eq!(f.run(read_back(&answer)).await, 0);
    let found = f.stored(&answer).await;
    assert_eq!(found.state, State::Published, "{found:?}");
    let reply = forum.posts_in(TOPIC).pop().expect("the reply");
    assert_eq!(reply.username, BRAND);
    let published = found.published.expect("where it is");
    assert_eq!(published.platform_id, reply.id.to_string());
    assert_eq!(
        published.permalink,
        Some(format!("{}/t/our-new-kettle/{TOPIC}/6", served.url))
    );
    let listed = served
        .recorder
        .requests_to(Method::GET, &format!("/t/{TOPIC}/posts.json"));
    assert_eq!(listed.len(), 1);
    let query = listed[0].query_pairs();
    for pair in [
        ("post_number", "3"),
        ("asc", "true"),
        ("username_filters", BRAND),
        ("include_raw", "true"),
    ] {
        assert!(query.contains(&(pair.0.into(), pair.1.into())), "{query:?}");
    }
    assert_eq!(listed[0].header("api-key"), Some(KEY));
    // Settled: a second read-back does nothing, and nothing was ever sent twice.
    assert_eq!(f.run(read_back(&answer)).await, 0);
    assert_eq!(posts_sent(&served.recorder), 1);
    assert_eq!(
        f.store
            .published_as(&f.source_id, &reply.id.to_string())
            .await
            .unwrap(),
        Some((answer.contribution_id.clone(), answer.id.clone()))
    );
}

#[tokio::test]
async fn an_unknown_reply_discourse_never_posted_should_be_failed_for_staff_to_send_again() {
    let (served, forum) = forum().await;
    served.recorder.fail_next_to(
        Method::POST,
        "/posts.json",
        Fault::Status {
            status: 500,
            body: json!({"errors": ["Internal Server Error"], "error_type": "server_error"}),
            retry_after: None,
        },
    );
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    assert_eq!(forum.posts_in(TOPIC).len(), 3, "nothing was written");
    assert_eq!(f.run(read_back(&answer)).await, 0);
    let after = f.stored(&answer).await;
    assert_eq!(after.state, State::Failed, "{after:?}");
    assert!(after.reason.unwrap().contains("it was not published"));
    assert_eq!(posts_sent(&served.recorder), 1);
}

#[tokio::test]
async fn a_topic_that_cannot_be_read_now_should_be_read_again_later() {
    let (served, _forum) = forum().await;
    served
        .recorder
        .fail_next_to(Method::POST, "/posts.json", Fault::DropAfterActing);
    let f = answering(&served).await;
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    served.recorder.fail_next_to(
        Method::GET,
        &format!("/t/{TOPIC}/posts.json"),
        discourse::rate_limited(30),
    );
    assert_eq!(
        f.run(read_back(&answer)).await,
        1,
        "given back to the queue"
    );
    assert_eq!(f.stored(&answer).await.state, State::Unknown);
    assert_eq!(f.run(read_back(&answer)).await, 0);
    assert_eq!(f.stored(&answer).await.state, State::Published);
}
