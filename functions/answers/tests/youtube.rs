//! Answers and moderation on YouTube against the local stack and the Google double
//! (`liaison_stack::doubles::youtube`, written from the Data API v3 and Google OAuth
//! references): a reply under the top-level comment, each decision's moderation status, the
//! daily quota, the OAuth token refreshed, and the ways a call fails.

mod support;

use axum::http::Method;
use chrono::{Duration, Utc};
use liaison_stack::doubles::youtube::{self, YouTube};
use liaison_stack::doubles::Fault;
use shared::contracts::answers::{Channel, State};
use shared::contracts::moderation::Decision;
use shared::contracts::sources::Platform;
use support::{decided, fixture, Fixture, Seed};

const COMMENT: &str = "UgzDE2tasfmrYLyNkGt4AaABAg";
const VIDEO: &str = "dQw4w9WgXcQ";

/// The double (knowing `COMMENT` on `VIDEO`), and a source logged in with the seeded token
/// pair (`ya29-seed`, `1//seed-refresh`) and `credentials` over it, answering `external_id`.
async fn given(
    external_id: &str,
    credentials: &[(&'static str, &str)],
    decision: Option<Decision>,
) -> (YouTube, Fixture) {
    let double = youtube::start("google-client", "google-secret")
        .await
        .expect("google double");
    double.state.tokens.grant("ya29-seed", "1//seed-refresh");
    double.state.comment(COMMENT, VIDEO);
    let mut seed = Seed::new(Platform::YouTube, external_id);
    seed.thread_id = Some(VIDEO.into());
    seed.moderation = decision.map(decided);
    seed.settings = vec![("channel_id", serde_json::json!("UCbrand"))];
    seed.login(
        &[
            ("access_token", "ya29-seed"),
            ("refresh_token", "1//seed-refresh"),
            ("client_id", "google-client"),
            ("client_secret", "google-secret"),
        ],
        credentials,
    );
    let env = [
        ("YOUTUBE_API_BASE", double.api()),
        ("GOOGLE_OAUTH_BASE", double.url.clone()),
    ];
    let f = fixture(seed, &env).await;
    (double, f)
}

fn inserts(double: &YouTube) -> usize {
    double
        .recorder
        .requests_to(Method::POST, "/youtube/v3/comments")
        .len()
}

#[tokio::test]
async fn a_reply_should_be_published_once_under_the_comment_whatever_the_redeliveries() {
    let (double, f) = given(COMMENT, &[], None).await;
    let answer = f.answer(Channel::PublicReply).await;
    let started = std::time::Instant::now();
    let (failures, published) = f.publish(&answer).await;
    eprintln!("youtube: published in {:?}", started.elapsed());
    assert_eq!(
        (failures, published.state),
        (0, State::Published),
        "{published:?}"
    );
    let replies = double.state.replies();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].parent_id, COMMENT);
    assert_eq!(replies[0].text, "We are sorry: a new kettle is on its way.");
    let at = published.published.expect("where");
    assert_eq!(at.platform_id, replies[0].id);
    assert_eq!(
        at.permalink,
        Some(format!(
            "https://www.youtube.com/watch?v={VIDEO}&lc={}",
            replies[0].id
        ))
    );
    let sent = &double
        .recorder
        .requests_to(Method::POST, "/youtube/v3/comments")[0];
    assert_eq!(sent.query.as_deref(), Some("part=snippet"));
    assert_eq!(sent.header("authorization"), Some("Bearer ya29-seed"));
    for _ in 0..2 {
        assert_eq!(f.publish(&answer).await.0, 0);
    }
    assert_eq!(inserts(&double), 1, "published once");
}

#[tokio::test]
async fn a_reply_to_a_reply_should_be_published_under_the_top_level_comment() {
    let reply_id = format!("{COMMENT}.8wWQ3tdGdQ08wWQ6-jIVtH");
    let (double, f) = given(&reply_id, &[], None).await;
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Published);
    assert_eq!(double.state.replies()[0].parent_id, COMMENT);
}

#[tokio::test]
async fn an_exceeded_quota_should_be_retried_after_midnight_pacific_then_published() {
    let (double, f) = given(COMMENT, &[], None).await;
    double.state.exceed_quota(true);
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    assert!(after.reason.expect("reason").contains("quota"));
    // At the reset, or at SQS's longest delay (12 hours) when the reset is further.
    let reset = answers::youtube::quota_reset(Utc::now());
    let expected = reset.min(Utc::now() + Duration::hours(12));
    let retry_at = after.retry_at.expect("retry_at");
    assert!(
        (retry_at - expected).num_seconds().abs() <= 5,
        "{retry_at} vs {expected}"
    );
    // Not a refused login: no refresh was tried.
    assert_eq!(double.state.tokens.refreshes(), 0);
    double.state.exceed_quota(false);
    f.deps
        .clock
        .advance(retry_at - Utc::now() + Duration::seconds(1));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(
        (failures, after.state, after.attempts),
        (0, State::Published, 2)
    );
    assert_eq!(double.state.replies().len(), 1);
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_after_googles_retry_after() {
    let (double, f) = given(COMMENT, &[], None).await;
    double.recorder.fail_next(Fault::Status {
        status: 429,
        body: serde_json::json!({"error": {"code": 429, "message": "Too many requests.", "errors": [{"message": "Too many requests.", "domain": "global", "reason": "rateLimitExceeded"}]}}),
        retry_after: Some(90),
    });
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying));
    let wait = after.retry_at.expect("retry_at") - Utc::now();
    assert!(
        wait > Duration::seconds(80) && wait <= Duration::seconds(90),
        "{wait}"
    );
    f.deps.clock.advance(Duration::seconds(91));
    assert_eq!(f.publish(&answer).await.1.state, State::Published);
}

#[tokio::test]
async fn an_expired_token_should_be_refreshed_stored_and_used() {
    let expired = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let (double, f) = given(COMMENT, &[("access_token_expires_at", &expired)], None).await;
    double.state.tokens.expire("ya29-seed");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let refresh = &double.recorder.requests_to(Method::POST, "/token")[0];
    let form = refresh.form();
    for pair in [
        ("grant_type", "refresh_token"),
        ("refresh_token", "1//seed-refresh"),
        ("client_id", "google-client"),
        ("client_secret", "google-secret"),
    ] {
        assert!(form.contains(&(pair.0.into(), pair.1.into())), "{form:?}");
    }
    let sent = &double
        .recorder
        .requests_to(Method::POST, "/youtube/v3/comments")[0];
    assert_eq!(sent.header("authorization"), Some("Bearer ya29-access-1"));
    let source = f.source().await;
    assert_eq!(
        source.credentials.get("access_token"),
        Some("ya29-access-1")
    );
    assert_eq!(
        source.credentials.get("refresh_token"),
        Some("1//seed-refresh"),
        "Google keeps the refresh token"
    );
    assert!(source.credentials.get("access_token_expires_at").is_some());
}

#[tokio::test]
async fn a_revoked_refresh_token_should_fail_the_answer_as_refused_credentials() {
    let (double, f) = given(COMMENT, &[], None).await;
    double.state.tokens.expire("ya29-seed");
    double.state.tokens.revoke("1//seed-refresh");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed), "{after:?}");
    assert_eq!(
        after.reason.as_deref(),
        Some("Google refused to refresh the access token (400): invalid_grant: Token has been expired or revoked.")
    );
    assert!(double.state.replies().is_empty());
}

#[tokio::test]
async fn a_connection_dropped_after_replying_should_leave_the_answer_unknown_and_reply_nothing_again(
) {
    let (double, f) = given(COMMENT, &[], None).await;
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    f.publish(&answer).await;
    assert_eq!(inserts(&double), 1, "never sent twice");
}

#[tokio::test]
async fn each_decision_should_set_its_moderation_status_on_the_comment() {
    for (decision, status) in [
        (Decision::Approve, "published"),
        (Decision::Hold, "heldForReview"),
        (Decision::Spam, "rejected"),
    ] {
        let (double, f) = given(COMMENT, &[], Some(decision)).await;
        let current = f
            .deps
            .contributions
            .get(&f.contribution_id)
            .await
            .expect("read")
            .expect("contribution")
            .moderation
            .expect("a decision");
        assert_eq!(f.moderate(current.decided_at, decision).await, 0);
        assert_eq!(
            double.state.statuses(),
            vec![(COMMENT.to_string(), status.to_string())]
        );
        let sent = &double
            .recorder
            .requests_to(Method::POST, "/youtube/v3/comments/setModerationStatus")[0];
        assert_eq!(sent.header("authorization"), Some("Bearer ya29-seed"));
        assert_eq!(
            sent.header("content-length"),
            Some("0"),
            "Google wants a length"
        );
    }
}

/// The read-back job of `answer`.
fn read_back(answer: &shared::contracts::answers::Answer) -> shared::contracts::answers::Job {
    shared::contracts::answers::Job::Reconcile {
        contribution_id: answer.contribution_id.clone(),
        answer_id: answer.id.clone(),
    }
}

fn lists(double: &YouTube) -> Vec<liaison_stack::doubles::Recorded> {
    double
        .recorder
        .requests_to(Method::GET, "/youtube/v3/comments")
}

#[tokio::test]
async fn an_unknown_reply_youtube_published_should_be_read_back_and_found_published() {
    let (double, f) = given(COMMENT, &[], None).await;
    // A viewer's reply with the same words, and the channel's earlier one: not it.
    double.state.add_reply(
        COMMENT,
        "UCviewer",
        "We are sorry: a new kettle is on its way.",
    );
    double.state.add_reply(
        COMMENT,
        youtube::CHANNEL,
        "Could you tell us its serial number?",
    );
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    let (_, after) = f.publish(&answer).await;
    assert_eq!(after.state, State::Unknown, "{after:?}");
    assert_eq!(f.resources.delayed_messages("AnswersQueue").await, 1);
    assert_eq!(f.run(read_back(&answer)).await, 0);
    let found = f.stored(&answer).await;
    assert_eq!(found.state, State::Published, "{found:?}");
    let reply = double.state.replies().pop().expect("the reply");
    assert_eq!(reply.author_channel_id, youtube::CHANNEL);
    let published = found.published.expect("where");
    assert_eq!(published.platform_id, reply.id);
    assert_eq!(
        published.permalink,
        Some(format!(
            "https://www.youtube.com/watch?v={VIDEO}&lc={}",
            reply.id
        ))
    );
    let listed = lists(&double);
    assert_eq!(listed.len(), 1);
    let query = listed[0].query_pairs();
    for pair in [
        ("part", "snippet"),
        ("parentId", COMMENT),
        ("maxResults", "100"),
        ("textFormat", "plainText"),
    ] {
        assert!(query.contains(&(pair.0.into(), pair.1.into())), "{query:?}");
    }
    assert_eq!(listed[0].header("authorization"), Some("Bearer ya29-seed"));
    // Settled: a second read-back does nothing, and nothing was ever sent twice.
    assert_eq!(f.run(read_back(&answer)).await, 0);
    assert_eq!(inserts(&double), 1);
}

#[tokio::test]
async fn an_unknown_reply_youtube_never_published_should_be_failed_for_staff_to_send_again() {
    let (double, f) = given(COMMENT, &[], None).await;
    double.recorder.fail_next(Fault::Status {
        status: 500,
        body: serde_json::json!({"error": {"code": 500, "message": "Internal error encountered.", "errors": [{"message": "Internal error encountered.", "domain": "global", "reason": "backendError"}]}}),
        retry_after: None,
    });
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    assert!(double.state.replies().is_empty(), "nothing was written");
    assert_eq!(f.run(read_back(&answer)).await, 0);
    let after = f.stored(&answer).await;
    assert_eq!(after.state, State::Failed, "{after:?}");
    assert!(after.reason.unwrap().contains("it was not published"));
    assert_eq!(inserts(&double), 1);
}

#[tokio::test]
async fn a_reply_past_the_first_page_should_be_found_on_the_next() {
    let (double, f) = given(COMMENT, &[], None).await;
    for n in 0..120 {
        double
            .state
            .add_reply(COMMENT, "UCviewer", &format!("Same here, number {n}"));
    }
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    assert_eq!(f.run(read_back(&answer)).await, 0);
    assert_eq!(f.stored(&answer).await.state, State::Published);
    let listed = lists(&double);
    assert_eq!(listed.len(), 2);
    assert!(listed[1]
        .query_pairs()
        .contains(&("pageToken".into(), "100".into())));
}

#[tokio::test]
async fn an_exceeded_quota_should_hold_the_read_back_not_fail_the_answer() {
    let (double, f) = given(COMMENT, &[], None).await;
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&answer).await.1.state, State::Unknown);
    double.state.exceed_quota(true);
    assert_eq!(
        f.run(read_back(&answer)).await,
        1,
        "given back to the queue"
    );
    assert_eq!(f.stored(&answer).await.state, State::Unknown);
    assert_eq!(double.state.tokens.refreshes(), 0, "not a refused login");
    double.state.exceed_quota(false);
    assert_eq!(f.run(read_back(&answer)).await, 0);
    assert_eq!(f.stored(&answer).await.state, State::Published);
}
