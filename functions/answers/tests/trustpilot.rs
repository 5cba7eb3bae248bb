//! Answers on Trustpilot against the local stack and the Trustpilot double
//! (`liaison_stack::doubles::trustpilot`, written from its business API reference): the
//! business's reply to a review, signed by the source's business user, a rate limit, the
//! business-user token refreshed, and the ways a call fails.

mod support;

use axum::http::Method;
use chrono::{Duration, Utc};
use liaison_stack::doubles::trustpilot::{self, Trustpilot};
use liaison_stack::doubles::Fault;
use shared::contracts::answers::{Channel, State};
use shared::contracts::sources::Platform;
use support::{fixture, Fixture, Seed};

const REVIEW: &str = "507f191e810c19729de860ea";
const BUSINESS_USER: &str = "5f3c1b2a9d8e7f6a5b4c3d2e";

/// The double (knowing `REVIEW`), and a source signed in as `BUSINESS_USER` with the seeded
/// token pair (`tp-seed`, `tp-seed-refresh`) and `credentials` over it.
async fn given(credentials: &[(&'static str, &str)]) -> (Trustpilot, Fixture) {
    let double = trustpilot::start("api-key", "api-secret", BUSINESS_USER)
        .await
        .expect("trustpilot double");
    double.state.tokens.grant("tp-seed", "tp-seed-refresh");
    double.state.review(REVIEW);
    let mut seed = Seed::new(Platform::Trustpilot, REVIEW);
    seed.settings = vec![("business_user_id", serde_json::json!(BUSINESS_USER))];
    seed.login(
        &[
            ("access_token", "tp-seed"),
            ("refresh_token", "tp-seed-refresh"),
            ("client_id", "api-key"),
            ("client_secret", "api-secret"),
        ],
        credentials,
    );
    let f = fixture(seed, &[("TRUSTPILOT_API_BASE", double.url.clone())]).await;
    (double, f)
}

fn replies_sent(double: &Trustpilot) -> usize {
    double
        .recorder
        .requests_to(Method::POST, &format!("/v1/private/reviews/{REVIEW}/reply"))
        .len()
}

#[tokio::test]
async fn a_reply_should_be_published_once_signed_by_the_business_user() {
    let (double, f) = given(&[]).await;
    let answer = f.answer(Channel::PublicReply).await;
    let started = std::time::Instant::now();
    let (failures, published) = f.publish(&answer).await;
    eprintln!("trustpilot: published in {:?}", started.elapsed());
    assert_eq!(
        (failures, published.state),
        (0, State::Published),
        "{published:?}"
    );
    assert_eq!(
        double.state.replies().get(REVIEW).map(String::as_str),
        Some("We are sorry: a new kettle is on its way.")
    );
    let sent = &double
        .recorder
        .requests_to(Method::POST, &format!("/v1/private/reviews/{REVIEW}/reply"))[0];
    assert_eq!(sent.header("authorization"), Some("Bearer tp-seed"));
    assert_eq!(
        sent.json(),
        serde_json::json!({"authorBusinessUserId": BUSINESS_USER, "message": "We are sorry: a new kettle is on its way."})
    );
    let at = published.published.expect("where");
    assert_eq!(at.platform_id, REVIEW);
    assert_eq!(
        at.permalink.as_deref(),
        Some("https://www.trustpilot.com/reviews/507f191e810c19729de860ea")
    );
    for _ in 0..2 {
        assert_eq!(f.publish(&answer).await.0, 0);
    }
    assert_eq!(replies_sent(&double), 1, "published once");
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_after_trustpilots_retry_after_then_published() {
    let (double, f) = given(&[]).await;
    double.recorder.fail_next(Fault::Status {
        status: 429,
        body: serde_json::json!({"fault": {"faultstring": "Rate limit quota violation. Quota limit exceeded.", "detail": {"errorcode": "policies.ratelimit.QuotaViolation"}}}),
        retry_after: Some(60),
    });
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (1, State::Retrying), "{after:?}");
    assert_eq!(
        after.reason.as_deref(),
        Some("429: Rate limit quota violation. Quota limit exceeded.")
    );
    let wait = after.retry_at.expect("retry_at") - Utc::now();
    assert!(
        wait > Duration::seconds(50) && wait <= Duration::seconds(60),
        "{wait}"
    );
    f.deps.clock.advance(Duration::seconds(61));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(
        (failures, after.state, after.attempts),
        (0, State::Published, 2)
    );
}

#[tokio::test]
async fn an_expired_token_should_be_refreshed_with_the_api_key_stored_and_used() {
    let expired = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let (double, f) = given(&[("access_token_expires_at", &expired)]).await;
    double.state.tokens.expire("tp-seed");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    let refresh = &double.recorder.requests_to(
        Method::POST,
        "/v1/oauth/oauth-business-users-for-applications/refresh",
    )[0];
    assert_eq!(
        refresh.form(),
        vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("refresh_token".to_string(), "tp-seed-refresh".to_string())
        ]
    );
    // The application's API key and secret, as Basic.
    assert_eq!(
        refresh.header("authorization"),
        Some("Basic YXBpLWtleTphcGktc2VjcmV0")
    );
    let source = f.source().await;
    assert_eq!(source.credentials.get("access_token"), Some("tp-access-1"));
    let expires = source
        .credentials
        .get("access_token_expires_at")
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .expect("an expiry");
    assert!(
        expires > Utc::now() + Duration::hours(99),
        "100 hours, as a string"
    );
    assert_eq!(double.state.replies().len(), 1);
}

#[tokio::test]
async fn a_token_the_gateway_no_longer_takes_should_be_refreshed_once_and_the_reply_sent_again() {
    let (double, f) = given(&[]).await;
    double.state.tokens.expire("tp-seed");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    assert_eq!(replies_sent(&double), 2, "the 401, then the reply");
    assert_eq!(double.state.replies().len(), 1);
}

#[tokio::test]
async fn a_revoked_refresh_token_should_fail_the_answer_as_refused_credentials() {
    let (double, f) = given(&[]).await;
    double.state.tokens.expire("tp-seed");
    double.state.tokens.revoke("tp-seed-refresh");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed), "{after:?}");
    assert_eq!(
        after.reason.as_deref(),
        Some("Trustpilot refused to refresh the access token (400): invalid_grant: Invalid Refresh Token")
    );
    assert_eq!(replies_sent(&double), 1, "the one refused call");
    assert!(double.state.replies().is_empty());
}

#[tokio::test]
async fn a_source_without_its_business_user_should_fail_without_calling_trustpilot() {
    let (double, f) = given(&[]).await;
    let mut source = f.source().await;
    source.settings.remove("business_user_id");
    f.sources
        .replace_access(
            &source.id,
            source.version,
            &source.credentials,
            &source.settings,
        )
        .await
        .expect("settings stored");
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert!(after.reason.expect("reason").contains("business_user_id"));
    assert!(double.recorder.requests().is_empty());
}

#[tokio::test]
async fn a_connection_dropped_after_replying_should_leave_the_answer_unknown_and_reply_nothing_again(
) {
    let (double, f) = given(&[]).await;
    double.recorder.fail_next(Fault::DropAfterActing);
    let answer = f.answer(Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown), "{after:?}");
    f.publish(&answer).await;
    assert_eq!(replies_sent(&double), 1, "never sent twice");
    assert_eq!(double.state.replies().len(), 1, "it was published");
}
