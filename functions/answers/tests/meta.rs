//! Answers on Facebook and Instagram through a double of the Graph API
//! (`liaison_stack::doubles::meta`, written from Meta's reference): a Private Reply once and
//! within 7 days, public replies on both networks, hidden comments, Meta's error codes.

mod support;

use chrono::{Duration, Utc};
use liaison_stack::doubles::{self, meta, Fault};
use serde_json::json;
use shared::contracts::answers::{Channel, Job, State, Tags};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Platform;
use support::{decided, fixture, Fixture, Seed};

const PAGE: &str = "104857600";
const TOKEN: &str = "EAAGpage-token-0001";
const COMMENT: &str = "104857600_555000111";
const IG_COMMENT: &str = "17858893269000001";

async fn meta_fixture(
    external_id: &str,
    written_days_ago: i64,
    token: &str,
    moderation: Option<shared::contracts::moderation::Moderation>,
) -> (Fixture, doubles::Served, std::sync::Arc<meta::Graph>) {
    let (served, graph) = meta::start(PAGE, TOKEN).await.unwrap();
    let mut seed = Seed::new(Platform::Meta, external_id);
    seed.settings = vec![("page_id", json!(PAGE))];
    seed.credentials = vec![("page_access_token", token.to_string())];
    seed.thread_id = Some("104857600_777".into());
    seed.author_id = Some("psid-42".into());
    seed.written_at = Utc::now() - Duration::days(written_days_ago);
    seed.moderation = moderation;
    let f = fixture(
        seed,
        &[("META_GRAPH_API_BASE", format!("{}/v21.0", served.url))],
    )
    .await;
    (f, served, graph)
}

#[tokio::test]
async fn a_facebook_comment_should_get_one_private_reply_and_a_second_should_never_be_asked() {
    let (f, served, graph) = meta_fixture(COMMENT, 1, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::days(1), "psid-42");
    let answer = f.answer(Channel::PrivateMessage).await;
    let started = std::time::Instant::now();
    let (failures, after) = f.publish(&answer).await;
    println!(
        "facebook private reply: send to published {:?}",
        started.elapsed()
    );
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    assert!(after.published.unwrap().platform_id.starts_with("m_"));
    let sent = served
        .recorder
        .requests_to(axum::http::Method::POST, &format!("/v21.0/{PAGE}/messages"));
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].header("authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(
        sent[0].json(),
        json!({"recipient": {"comment_id": COMMENT}, "message": {"text": "We are sorry: a new kettle is on its way."}})
    );
    assert_eq!(
        graph.comment(COMMENT).unwrap().private_reply.as_deref(),
        Some("We are sorry: a new kettle is on its way.")
    );
    // The once-only item refuses a second one before anything is stored or sent.
    assert!(f
        .write(Channel::PrivateMessage, "Again", Tags::default())
        .await
        .is_none());
    f.publish(&answer).await;
    assert_eq!(served.recorder.requests().len(), 1, "asked once");
}

#[tokio::test]
async fn a_private_reply_after_seven_days_should_be_refused_before_asking_meta() {
    let (f, served, graph) = meta_fixture(COMMENT, 8, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::days(8), "psid-42");
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert!(after
        .reason
        .unwrap()
        .contains("within 7 days of the comment"));
    assert!(served.recorder.requests().is_empty(), "never asked");
}

#[tokio::test]
async fn metas_own_refusal_should_be_the_answers_reason() {
    // Liaison saw the comment late (a replayed webhook): Meta knows it is 8 days old.
    let (f, _served, graph) = meta_fixture(COMMENT, 6, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::days(8), "psid-42");
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(
        after.reason.as_deref(),
        Some("400: (#10) This message is sent outside of allowed window.")
    );
}

#[tokio::test]
async fn public_replies_should_go_under_the_comment_on_facebook_and_instagram() {
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    let (_, after) = f.publish(&f.answer(Channel::PublicReply).await).await;
    assert_eq!(after.state, State::Published, "{after:?}");
    let id = after.published.unwrap().platform_id;
    assert!(id.starts_with("104857600_"), "{id}");
    assert_eq!(graph.comment(COMMENT).unwrap().replies.len(), 1);
    assert_eq!(
        served.recorder.requests()[0].path,
        format!("/v21.0/{COMMENT}/comments")
    );

    let (f, served, graph) = meta_fixture(IG_COMMENT, 0, TOKEN, None).await;
    graph.add_comment(IG_COMMENT, Duration::hours(1), "igsid-7");
    let (_, after) = f.publish(&f.answer(Channel::PublicReply).await).await;
    assert_eq!(after.state, State::Published, "{after:?}");
    assert_eq!(
        served.recorder.requests()[0].path,
        format!("/v21.0/{IG_COMMENT}/replies")
    );
    assert_eq!(graph.comment(IG_COMMENT).unwrap().replies.len(), 1);
}

#[tokio::test]
async fn an_expired_page_token_should_fail_the_answer_and_a_rate_limit_retry_it() {
    let (f, _served, graph) = meta_fixture(COMMENT, 0, "EAAGold-token-0000", None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    let (_, after) = f.publish(&f.answer(Channel::PublicReply).await).await;
    assert_eq!(after.state, State::Failed);
    assert!(after.reason.unwrap().contains("Session has expired"));

    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    served.recorder.fail_next(Fault::Status {
        status: 400,
        body: json!({"error": {"message": "(#80001) There have been too many calls to this Page account.", "type": "OAuthException", "code": 80001}}),
        retry_after: None,
    });
    let (failures, after) = f.publish(&f.answer(Channel::PublicReply).await).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    assert!(graph.comment(COMMENT).unwrap().replies.is_empty());
}

#[tokio::test]
async fn a_connection_dropped_after_meta_replied_should_leave_the_answer_unknown() {
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    served.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    // Meta delivered it; Liaison does not know, and never asks again.
    assert!(graph.comment(COMMENT).unwrap().private_reply.is_some());
    f.publish(&answer).await;
    assert_eq!(served.recorder.requests().len(), 1);
}

#[tokio::test]
async fn a_decision_should_hide_or_show_the_comment_on_its_network() {
    let spam = decided(Decision::Spam);
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, Some(spam.clone())).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    assert_eq!(f.moderate(spam.decided_at, Decision::Spam).await, 0);
    assert!(graph.comment(COMMENT).unwrap().hidden);
    assert_eq!(
        served.recorder.requests()[0].json(),
        json!({"is_hidden": true})
    );

    let approve = decided(Decision::Approve);
    let (f, served, graph) = meta_fixture(IG_COMMENT, 0, TOKEN, Some(approve.clone())).await;
    graph.add_comment(IG_COMMENT, Duration::hours(1), "igsid-7");
    assert_eq!(f.moderate(approve.decided_at, Decision::Approve).await, 0);
    assert!(!graph.comment(IG_COMMENT).unwrap().hidden);
    assert_eq!(served.recorder.requests()[0].json(), json!({"hide": false}));
}

#[tokio::test]
async fn an_unknown_reply_should_be_read_back_and_found_published() {
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    served.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    let (_, after) = f.publish(&answer).await;
    assert_eq!(after.state, State::Unknown, "{after:?}");
    // A read-back a minute later was asked of the queue.
    assert_eq!(f.resources.delayed_messages("AnswersQueue").await, 1);
    let read_back = Job::Reconcile {
        contribution_id: answer.contribution_id.clone(),
        answer_id: answer.id.clone(),
    };
    assert_eq!(f.run(read_back.clone()).await, 0);
    let found = f.stored(&answer).await;
    assert_eq!(found.state, State::Published, "{found:?}");
    let (reply_id, _) = graph.comment(COMMENT).unwrap().replies[0].clone();
    assert_eq!(found.published.unwrap().platform_id, reply_id);
    let listed = served.recorder.requests_to(
        axum::http::Method::GET,
        &format!("/v21.0/{COMMENT}/comments"),
    );
    assert_eq!(listed.len(), 1);
    // Settled: a second read-back does nothing, and nothing was ever sent twice.
    assert_eq!(f.run(read_back).await, 0);
    assert_eq!(
        served
            .recorder
            .requests_to(
                axum::http::Method::POST,
                &format!("/v21.0/{COMMENT}/comments")
            )
            .len(),
        1
    );
}

#[tokio::test]
async fn an_unknown_reply_meta_never_published_should_be_failed_for_staff_to_send_again() {
    let (f, served, graph) = meta_fixture(IG_COMMENT, 0, TOKEN, None).await;
    graph.add_comment(IG_COMMENT, Duration::hours(1), "igsid-7");
    // A 500: Meta may or may not have written it.
    served.recorder.fail_next(Fault::Status {
        status: 500,
        body: json!({"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}}),
        retry_after: None,
    });
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    let read_back = Job::Reconcile {
        contribution_id: answer.contribution_id.clone(),
        answer_id: answer.id.clone(),
    };
    assert_eq!(f.run(read_back).await, 0);
    let after = f.stored(&answer).await;
    assert_eq!(after.state, State::Failed, "{after:?}");
    assert!(after.reason.unwrap().contains("it was not published"));
}

#[tokio::test]
async fn a_private_reply_in_doubt_should_stay_unknown_with_no_read_back() {
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, None).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    served.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PrivateMessage).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    assert_eq!(f.resources.delayed_messages("AnswersQueue").await, 0);
}

#[tokio::test]
async fn a_deletion_should_remove_the_comment_once_and_a_repeat_change_nothing() {
    let delete = decided(Decision::Delete);
    let (f, served, graph) = meta_fixture(COMMENT, 0, TOKEN, Some(delete.clone())).await;
    graph.add_comment(COMMENT, Duration::hours(1), "psid-42");
    assert_eq!(f.moderate(delete.decided_at, Decision::Delete).await, 0);
    assert!(graph.comment(COMMENT).is_none(), "deleted on Meta");
    // A redelivery finds it gone: done, not an error.
    assert_eq!(f.moderate(delete.decided_at, Decision::Delete).await, 0);
    let deletes = served
        .recorder
        .requests()
        .into_iter()
        .filter(|r| r.method == axum::http::Method::DELETE)
        .count();
    assert_eq!(deletes, 2);
}
