//! The answers function against the local stack (DynamoDB Local, moto's SQS and SES through
//! the real SDK) and a double of WordPress's comments API (written from its REST reference:
//! `POST /wp/v2/comments` answers 201 with the comment, errors as `{"code","message"}`) that
//! can also fail the way platforms fail: a rate limit with `Retry-After`, refused
//! credentials, a connection that drops after the request was sent. What a real WordPress
//! does with the same calls is checked in tests/ (journeys::answers).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Duration, Utc};
use liaison_stack::harness::{self, TestResources};
use serde_json::{json, Value};
use shared::contracts::answers::{
    Answer, AnswerStore, Channel, Job, JobMessage, State, Tags, Target,
};
use shared::contracts::contributions::{Classification, ContributionRecord, ContributionStore};
use shared::contracts::events::{
    Author, Contribution, ContributionAction, ContributionKind, ModerationState,
};
use shared::contracts::moderation::{Decision, Moderation};
use shared::contracts::rules::Label;
use shared::contracts::sources::{Platform, SigningSecret, Source, SourceStore, KIND};
use shared::kit::clock::Clock;

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

struct Fixture {
    resources: TestResources,
    deps: answers::Deps,
    store: AnswerStore,
    contribution_id: String,
    source_id: String,
}

async fn fixture(
    site_url: &str,
    author_email: Option<&str>,
    moderation: Option<Moderation>,
) -> Fixture {
    let resources = harness::resources().await;
    let db = resources.clients.dynamodb.clone();
    let now = Utc::now();
    let source_id = format!("src_{}", now.timestamp_micros());
    let source = Source {
        id: source_id.clone(),
        platform: Platform::WordPress,
        name: "Blog".into(),
        created_at: now,
        secrets: vec![SigningSecret {
            value: "s3cret-s3cret".into(),
            created_at: now,
            expires_at: None,
        }],
        settings: [("site_url".to_string(), json!(site_url))].into(),
        credentials: shared::contracts::sources::Credentials(
            [
                ("username".to_string(), "brand".to_string()),
                (
                    "application_password".to_string(),
                    "abcd efgh ijkl mnop".to_string(),
                ),
            ]
            .into(),
        ),
        version: 0,
        kind: KIND.into(),
        websub_requested_at: None,
    };
    SourceStore::new(db.clone(), resources.table("SourcesTable"))
        .create(&source)
        .await
        .unwrap();
    let contribution_id = format!("evt_{}", now.timestamp_micros());
    let record = ContributionRecord {
        id: contribution_id.clone(),
        source_id: source_id.clone(),
        platform: Platform::WordPress,
        received_at: now,
        classified_at: now,
        contact_id: None,
        classification: Classification {
            label: Label::Incident,
            confidence: 0.9,
            cues: vec![],
        },
        tags: vec![],
        rules: vec![],
        moderation_status: moderation.as_ref().map(|m| m.decision.as_str().to_string()),
        moderation,
        contribution: Contribution {
            action: ContributionAction::Created,
            kind: ContributionKind::Comment,
            external_id: "7".into(),
            thread_id: Some("1".into()),
            thread_title: Some("Our new kettle".into()),
            parent_id: None,
            permalink: None,
            author: Author {
                email: author_email.map(str::to_string),
                ..Author::default()
            },
            text: "My kettle leaks".into(),
            language: None,
            created_at: now,
            updated_at: None,
            moderation: ModerationState::Pending,
            rating: None,
        },
    };
    ContributionStore::new(
        db.clone(),
        resources.table("ContributionsTable"),
        resources.table("ReportsTable"),
    )
    .record(&record)
    .await
    .unwrap();
    let env = resources.function_env("answers");
    let deps = answers::Deps::from_env(&env, Clock::system())
        .await
        .unwrap();
    let store = AnswerStore {
        client: db,
        table: resources.table("AnswersTable"),
        reports_table: resources.table("ReportsTable"),
    };
    Fixture {
        resources,
        deps,
        store,
        contribution_id,
        source_id,
    }
}

impl Fixture {
    async fn answer(&self, channel: Channel) -> Answer {
        let now = Utc::now();
        let answer = Answer {
            id: format!("ans_{}", now.timestamp_micros()),
            contribution_id: self.contribution_id.clone(),
            case_id: None,
            channel,
            text: "We are sorry: a new kettle is on its way.".into(),
            tags: Tags {
                visible: vec![],
                hidden: vec!["kettle-leak".into()],
            },
            author: "agent-1".into(),
            created_at: now,
            target: Target {
                source_id: self.source_id.clone(),
                platform: Platform::WordPress,
                external_id: "7".into(),
                thread_id: Some("1".into()),
                author_id: None,
                written_at: now,
            },
            state: State::Queued,
            attempts: 0,
            retry_at: None,
            reason: None,
            published: None,
            echo_event_id: None,
            updated_at: now,
        };
        self.store.create(&answer, false).await.unwrap();
        answer
    }

    async fn run(&self, job: Job) -> usize {
        let mut record = SqsMessage::default();
        record.message_id = Some("m-1".into());
        record.body = Some(serde_json::to_string(&JobMessage::new(job)).unwrap());
        let mut event = SqsEvent::default();
        event.records = vec![record];
        answers::handle(&self.deps, event)
            .await
            .batch_item_failures
            .len()
    }

    async fn publish(&self, answer: &Answer) -> (usize, Answer) {
        let failures = self
            .run(Job::Answer {
                contribution_id: answer.contribution_id.clone(),
                answer_id: answer.id.clone(),
            })
            .await;
        (
            failures,
            self.store
                .get(&answer.contribution_id, &answer.id)
                .await
                .unwrap()
                .unwrap(),
        )
    }
}

#[tokio::test]
async fn a_reply_should_be_published_once_whatever_the_redeliveries() {
    let (url, wp) = double(Mode::Publish).await;
    let f = fixture(&url, None, None).await;
    let answer = f.answer(Channel::PublicReply).await;
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
    let answer = f.answer(Channel::PublicReply).await;
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
    let answer = f.answer(Channel::PublicReply).await;
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
    let answer = f.answer(Channel::PublicReply).await;
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
    let answer = f.answer(Channel::PublicReply).await;
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
    let answer = f.answer(Channel::Email).await;
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
