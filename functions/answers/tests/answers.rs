//! The answers function against the local stack (DynamoDB Local, moto's SQS and SES through
//! the real SDK) and a double of WordPress's comments API (written from its REST reference:
//! `POST /wp/v2/comments` answers 201 with the comment, errors as `{"code","message"}`) that
//! can also fail the way platforms fail: a rate limit with `Retry-After`, refused
//! credentials, a connection that drops after the request was sent. What a real WordPress
//! does with the same calls is checked in tests/ (journeys::answers).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use shared::contracts::answers::{Answer, Channel, Job, State, Tags};
use shared::contracts::moderation::{Decision, Moderation};
use shared::contracts::sources::Platform;
use support::{Fixture, Seed};

/// What the double does with the next requests.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Publish,
    RateLimited,
    Unauthorised,
    /// Reads the request, then closes the connection without a word.
    Drop,
}

struct Double {
    mode: Mutex<Mode>,
    bodies: Mutex<Vec<Value>>,
    calls: AtomicUsize,
}

async fn comments(
    AxumState(double): AxumState<Arc<Double>>,
    body: String,
) -> axum::response::Response {
    double.calls.fetch_add(1, Ordering::SeqCst);
    double
        .bodies
        .lock()
        .unwrap()
        .push(serde_json::from_str(&body).unwrap_or(Value::Null));
    let mode = *double.mode.lock().unwrap();
    match mode {
        Mode::Publish => (
            StatusCode::CREATED,
            axum::Json(json!({"id": 4242, "post": 1, "parent": 7, "status": "approved", "link": "https://blog.example/?p=1#comment-4242"})),
        )
            .into_response(),
        Mode::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "120")],
            axum::Json(json!({"code": "too_many_requests", "message": "Slow down."})),
        )
            .into_response(),
        Mode::Unauthorised => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": "incorrect_password", "message": "The provided password is an invalid application password.", "data": {"status": 401}})),
        )
            .into_response(),
        Mode::Drop => unreachable!("served by the dropping listener"),
    }
}

/// Starts the double; `Mode::Drop` is served by a listener that reads and hangs up.
async fn double(mode: Mode) -> (String, Arc<Double>) {
    let state = Arc::new(Double {
        mode: Mutex::new(mode),
        bodies: Mutex::new(Vec::new()),
        calls: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    if mode == Mode::Drop {
        let counted = state.clone();
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 16 * 1024];
                // The whole request arrives in one read on loopback; then the line goes dead.
                let _ = socket.read(&mut buf).await;
                counted.calls.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        return (url, state);
    }
    let app = axum::Router::new()
        .route("/", axum::routing::post(comments))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, state)
}

/// A WordPress source on the double at `site_url`, and comment 7 of post 1 under it.
async fn fixture(
    site_url: &str,
    author_email: Option<&str>,
    moderation: Option<Moderation>,
) -> Fixture {
    let mut seed = Seed::new(Platform::WordPress, "7");
    seed.settings = vec![("site_url", json!(site_url))];
    seed.credentials = vec![
        ("username", "brand".into()),
        ("application_password", "abcd efgh ijkl mnop".into()),
    ];
    seed.thread_id = Some("1".into());
    seed.author_email = author_email.map(str::to_string);
    seed.moderation = moderation;
    support::fixture(seed, &[]).await
}

/// What staff write in these tests: a hidden tag, which the report counts.
async fn written(f: &Fixture, channel: Channel) -> Answer {
    let tags = Tags {
        visible: vec![],
        hidden: vec!["kettle-leak".into()],
    };
    f.write(channel, "We are sorry: a new kettle is on its way.", tags)
        .await
        .expect("an answer")
}

#[tokio::test]
async fn a_reply_should_be_published_once_whatever_the_redeliveries() {
    let (url, wp) = double(Mode::Publish).await;
    let f = fixture(&url, None, None).await;
    let answer = written(&f, Channel::PublicReply).await;
    let (failures, published) = f.publish(&answer).await;
    assert_eq!(failures, 0);
    assert_eq!(published.state, State::Published, "{published:?}");
    let at = published.published.clone().unwrap();
    assert_eq!(at.platform_id, "4242");
    assert_eq!(
        at.permalink.as_deref(),
        Some("https://blog.example/?p=1#comment-4242")
    );
    // Threaded under the comment, in its post, as text.
    assert_eq!(
        wp.bodies.lock().unwrap()[0],
        json!({"post": 1, "parent": 7, "content": "We are sorry: a new kettle is on its way."})
    );
    for _ in 0..2 {
        assert_eq!(f.publish(&answer).await.0, 0);
    }
    assert_eq!(wp.calls.load(Ordering::SeqCst), 1, "published once");
    // Its echo is known, and the report counted it once.
    assert_eq!(
        f.store.published_as(&f.source_id, "4242").await.unwrap(),
        Some((answer.contribution_id.clone(), answer.id.clone()))
    );
    let day = Utc::now().date_naive();
    let counters = shared::contracts::contributions::report_counters(
        &f.resources.clients.dynamodb,
        &f.resources.table("ReportsTable"),
        "answer_tag",
        day,
        day,
    )
    .await
    .unwrap();
    assert_eq!(
        counters
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect::<Vec<_>>(),
        vec![("kettle-leak", 1)]
    );
}

#[tokio::test]
async fn a_connection_dropped_after_sending_should_leave_the_answer_unknown_and_send_nothing_again()
{
    let (url, wp) = double(Mode::Drop).await;
    let f = fixture(&url, None, None).await;
    let answer = written(&f, Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(failures, 0);
    assert_eq!(after.state, State::Unknown, "{after:?}");
    assert!(after.reason.unwrap().contains("no answer after sending"));
    f.publish(&answer).await;
    assert_eq!(wp.calls.load(Ordering::SeqCst), 1, "never sent twice");
}

#[tokio::test]
async fn an_attempt_whose_outcome_was_lost_should_make_the_answer_unknown_not_resend_it() {
    let (url, wp) = double(Mode::Publish).await;
    let f = fixture(&url, None, None).await;
    let answer = written(&f, Channel::PublicReply).await;
    // A first attempt claimed it, then its Lambda died before recording the outcome.
    f.store
        .claim(&answer.contribution_id, &answer.id, Utc::now())
        .await
        .unwrap();
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Unknown));
    assert_eq!(wp.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_rate_limit_should_be_retried_after_the_platforms_retry_after_then_published() {
    let (url, wp) = double(Mode::RateLimited).await;
    let f = fixture(&url, None, None).await;
    let answer = written(&f, Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(failures, 1, "the job comes back");
    assert_eq!(after.state, State::Retrying);
    let wait = after.retry_at.unwrap() - Utc::now();
    assert!(
        wait > Duration::seconds(100) && wait <= Duration::seconds(120),
        "{wait}"
    );
    assert!(after.reason.unwrap().contains("Slow down."));
    // Back early: not claimed again.
    assert_eq!(f.publish(&answer).await.0, 1);
    assert_eq!(wp.calls.load(Ordering::SeqCst), 1);
    *wp.mode.lock().unwrap() = Mode::Publish;
    f.deps.clock.advance(Duration::seconds(121));
    let (failures, after) = f.publish(&answer).await;
    assert_eq!(
        (failures, after.state, after.attempts),
        (0, State::Published, 2)
    );
    assert_eq!(wp.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refused_credentials_should_fail_the_answer_with_the_platforms_reason() {
    let (url, _wp) = double(Mode::Unauthorised).await;
    let f = fixture(&url, None, None).await;
    let answer = written(&f, Channel::PublicReply).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Failed));
    assert_eq!(
        after.reason.as_deref(),
        Some("401: The provided password is an invalid application password.")
    );
}

#[tokio::test]
async fn an_email_answer_should_reach_the_author_once() {
    let (url, _wp) = double(Mode::Publish).await;
    let address = format!("reader{}@example.org", Utc::now().timestamp_micros());
    let f = fixture(&url, Some(&address), None).await;
    let answer = written(&f, Channel::Email).await;
    let (failures, after) = f.publish(&answer).await;
    assert_eq!((failures, after.state), (0, State::Published), "{after:?}");
    f.publish(&answer).await;
    let sent: Vec<String> = f
        .resources
        .sent_emails()
        .await
        .iter()
        .map(|m| m.to_string())
        .filter(|m| m.contains(&address))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("Re: Our new kettle"));
}

#[tokio::test]
async fn only_the_decision_still_current_should_be_applied_on_the_platform() {
    let (url, wp) = double(Mode::Publish).await;
    let decided_at = Utc::now() - Duration::minutes(1);
    let current = Moderation {
        decision: Decision::Approve,
        reasons: vec![],
        decided_at,
        decided_by: "agent".into(),
    };
    let f = fixture(&url, None, Some(current)).await;
    let job = |at| Job::Moderate {
        contribution_id: f.contribution_id.clone(),
        source_id: f.source_id.clone(),
        external_id: "7".into(),
        decision: Decision::Approve,
        decided_at: at,
    };
    assert_eq!(
        f.run(job(decided_at - Duration::minutes(5))).await,
        0,
        "a stale job is dropped"
    );
    assert_eq!(wp.calls.load(Ordering::SeqCst), 0);
    assert_eq!(f.run(job(decided_at)).await, 0);
    assert_eq!(
        wp.bodies.lock().unwrap().clone(),
        vec![json!({"status": "approved"})]
    );
}
