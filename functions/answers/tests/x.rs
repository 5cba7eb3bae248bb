//! Answers on X against the local stack and the X double (`liaison_stack::doubles::x`,
//! written from X's API v2 reference): a reply under the post with the visible tags as
//! hashtags, a direct message to its author, X's rate limit, the OAuth 2.0 token refreshed
//! (and its rotated refresh token kept), and the ways a call fails.

mod support;

use axum::http::Method;
use chrono::{Duration, Utc};
use liaison_stack::doubles::x::{self, X};
use liaison_stack::doubles::Fault;
use shared::contracts::answers::{Channel, State, Tags};
use shared::contracts::sources::Platform;
use support::{fixture, Fixture, Seed};

const POST_ID: &str = "1860012345678901249";
const AUTHOR_ID: &str = "944480690";
const CLIENT_ID: &str = "x-client";

/// The double, and a source logged in with `credentials` over a seeded token pair
/// (`x-seed-access`, `x-seed-refresh`) that the double knows.
async fn given(credentials: &[(&'static str, &str)]) -> (X, Fixture) {
    let double = x::start(CLIENT_ID, None).await.expect("x double");
    double.state.tokens.grant("x-seed-access", "x-seed-refresh");
    let mut seed = Seed::new(Platform::X, POST_ID);
    seed.author_id = Some(AUTHOR_ID.into());
    seed.login(
        &[
            ("access_token", "x-seed-access"),
            ("refresh_token", "x-seed-refresh"),
            ("client_id", CLIENT_ID),
        ],
        credentials,
    );
    let f = fixture(seed, &[("X_API_BASE", double.url.clone())]).await;
    (double, f)
}

fn posts_sent(double: &X) -> usize {
    double.recorder.requests_to(Method::POST, "/2/tweets").len()
}

#[tokio::test]
async fn a_reply_should_be_published_once_with_its_hashtags_whatever_the_redeliveries() {
    let (double, f) = given(&[]).await;
    let tags = Tags {
        visible: vec!["late-delivery".into()],
        hidden: vec!["courier".into()],
    };
    let answer = f
        .write(Channel::PublicReply, "A new kettle is on its way.", tags)
        .await
        .expect("an answer");
    let started = std::time::Instant::now();
    let (failures, published) = f.publish(&answer).await;
    eprintln!("x: published in {:?}", started.elapsed());
    assert_eq!(failures, 0);
    assert_eq!(published.state, State::Published, "{published:?}");
    let posts = double.state.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "A new kettle is on its way.\n\n#late_delivery"
    );
    assert_eq!(posts[0].in_reply_to, POST_ID);
    let at = published.published.expect("where");
    assert_eq!(at.platform_id, posts[0].id);
    assert_eq!(
        at.permalink,
        Some(format!("https://x.com/i/web/status/{}", posts[0].id))
    );
    let sent = &double.recorder.requests_to(Method::POST, "/2/tweets")[0];
    assert_eq!(sent.header("authorization"), Some("Bearer x-seed-access"));
    for _ in 0..2 {
        assert_eq!(f.publish(&answer).await.0, 0);
    }
    assert_eq!(posts_sent(&double), 1, "published once");
}

#[tokio::test]
async fn a_private_message_should_reach_the_author_once() {
    let (double, f) = given(&[]).await;
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, published) = f.publish(&answer).await;
    assert_eq!(
        (failures, published.state),
        (0, State::Published),
        "{published:?}"
    );
    let messages = double.state.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].participant, AUTHOR_ID);
    assert_eq!(
        messages[0].text,
        "We are sorry: a new kettle is on its way."
    );
    let at = published.published.expect("where");
    assert_eq!(
        (at.platform_id, at.permalink),
        (messages[0].event_id.clone(), None)
    );
    f.publish(&answer).await;
    assert_eq!(double.state.messages().len(), 1);
}

#[tokio::test]
async fn a_message_the_person_cannot_receive_should_fail_with_xs_reason_not_the_login() {
    let (double, f) = given(&[]).await;
    double.state.refuse_messages_from_strangers(AUTHOR_ID);
    let answer = f.answer(Channel::PrivateMessage).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(
        after.reason.as_deref(),
        Some("403: You cannot send messages to this user.")
    );
    // The login was fine: no refresh was tried.
    assert_eq!(double.state.tokens.refreshes(), 0);
    assert!(double.state.messages().is_empty());
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_when_xs_window_reopens_then_published() {
    let (double, f) = given(&[]).await;
    let reset = Utc::now().timestamp() + 300;
    double.state.limit_next(reset);
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    let wait = after.retry_at.expect("retry_at") - Utc::now();
    assert!(
        wait > Duration::seconds(290) && wait <= Duration::seconds(301),
        "{wait}"
    );
    assert!(after.reason.expect("reason").contains("429"));
    f.deps.clock.advance(Duration::seconds(302));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(
        (failures, after.state, after.attempts),
        (0, State::Published, 2)
    );
    assert_eq!(double.state.posts().len(), 1);
}

#[tokio::test]
async fn an_expired_token_should_be_refreshed_stored_and_used_and_the_rotated_refresh_token_kept() {
    let expired = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let (double, f) = given(&[("access_token_expires_at", &expired)]).await;
    double.state.tokens.expire("x-seed-access");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    // Refreshed before the call: the one post went out with the new token.
    let refreshes = double.recorder.requests_to(Method::POST, "/2/oauth2/token");
    assert_eq!(refreshes.len(), 1);
    let form = refreshes[0].form();
    assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(form.contains(&("refresh_token".into(), "x-seed-refresh".into())));
    assert!(form.contains(&("client_id".into(), CLIENT_ID.into())));
    let posts = double.recorder.requests_to(Method::POST, "/2/tweets");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].header("authorization"), Some("Bearer x-access-1"));
    // Stored: the new token, its expiry, and X's new refresh token (the old one is spent).
    let source = f.source().await;
    assert_eq!(source.credentials.get("access_token"), Some("x-access-1"));
    assert_eq!(source.credentials.get("refresh_token"), Some("x-refresh-1"));
    let expires = source
        .credentials
        .get("access_token_expires_at")
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .expect("an expiry");
    assert!(expires > Utc::now() + Duration::minutes(110));
    assert!(!double.state.tokens.exchanges("x-seed-refresh"));
    // The next answer uses the stored token, without refreshing.
    let next = f.answer(Channel::PublicReply).await;
    assert_eq!(f.publish(&next).await.1.state, State::Published);
    assert_eq!(double.state.tokens.refreshes(), 1);
}

#[tokio::test]
async fn a_token_x_no_longer_takes_should_be_refreshed_once_and_the_call_made_again() {
    let (double, f) = given(&[]).await;
    double.state.tokens.expire("x-seed-access");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    assert_eq!(posts_sent(&double), 2, "the 401, then the post");
    assert_eq!(double.state.posts().len(), 1);
    assert_eq!(
        f.source().await.credentials.get("access_token"),
        Some("x-access-1")
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_should_fail_the_answer_as_refused_credentials() {
    let expired = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let (double, f) = given(&[("access_token_expires_at", &expired)]).await;
    double.state.tokens.revoke("x-seed-refresh");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed), "{after:?}");
    assert_eq!(
        after.reason.as_deref(),
        Some("X refused to refresh the access token (400): invalid_request: Value passed for the token was invalid.")
    );
    assert_eq!(posts_sent(&double), 0);
    // Nothing of the login leaks into the reason.
    assert!(!after.reason.unwrap_or_default().contains("x-seed"));
}

#[tokio::test]
async fn a_connection_dropped_after_posting_should_leave_the_answer_unknown_and_post_nothing_again()
{
    let (double, f) = given(&[]).await;
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    f.publish(&answer).await;
    assert_eq!(posts_sent(&double), 1, "never sent twice");
    assert_eq!(double.state.posts().len(), 1, "it was published");
}
